import type { KeyAlgorithm } from '../contract/keys.js';
import { InvalidInputError } from '../errors/errors.js';

/** Refuses an account key algorithm the framework does not use, naming the ones it does. */
export function checkKeyAlgorithmIn(
  algorithm: unknown,
  allowed: readonly KeyAlgorithm[],
  field: string,
  framework = 'this framework',
): asserts algorithm is KeyAlgorithm {
  if (!allowed.includes(algorithm as KeyAlgorithm)) {
    throw new InvalidInputError(`${field}: ${framework} accounts are ${allowed.join(' or ')} keys, not ${JSON.stringify(algorithm)}`, {
      field,
    });
  }
}
