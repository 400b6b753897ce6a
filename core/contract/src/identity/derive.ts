import { hkdfSync } from 'node:crypto';
import { mapHashToField } from '@noble/curves/abstract/modular.js';
import type { KeyAlgorithm } from '../contract/keys.js';
import { InvalidInputError } from '../errors/errors.js';
import { assertKeyAlgorithm, maxPrivateScalar } from '../crypto/scalars.js';

export interface KeyPurpose {
  /** Framework name as adapters declare it (`ethereum`, `fabric`, `fisco-bcos`, `eos`), or `bsn` for the identity itself. */
  framework: string;
  algorithm: KeyAlgorithm;
  /** Several accounts per framework and algorithm. Default 0. */
  index?: number;
}

/** The identity's own key: what the network CA certifies and what signs key bindings. */
export const MASTER_KEY_PURPOSE: Readonly<Required<KeyPurpose>> = Object.freeze({ framework: 'bsn', algorithm: 'secp256r1', index: 0 });

/** No '/' so the HKDF info string cannot be made ambiguous by a crafted framework name. */
const FRAMEWORK_RE = /^[a-z0-9][a-z0-9-]{0,31}$/;
const MAX_INDEX = 2 ** 31 - 1;

export function assertPurpose(purpose: KeyPurpose): Required<KeyPurpose> {
  if (typeof purpose?.framework !== 'string' || !FRAMEWORK_RE.test(purpose.framework)) {
    throw new InvalidInputError('framework must be 1-32 of a-z 0-9 - starting with a letter or digit', { field: 'framework' });
  }
  assertKeyAlgorithm(purpose.algorithm);
  const index = purpose.index ?? 0;
  if (!Number.isInteger(index) || index < 0 || index > MAX_INDEX) {
    throw new InvalidInputError(`index must be an integer in [0, ${MAX_INDEX}]`, { field: 'index' });
  }
  return { framework: purpose.framework, algorithm: purpose.algorithm, index };
}

/**
 * Derives the private key for one purpose from the identity secret, deterministically:
 * HKDF-SHA256(secret, info = `bsn/v1/<framework>/<algorithm>/<index>`) → 48 bytes, reduced
 * into [1, max] (noble's mapHashToField; 48 bytes keeps the modulo bias below 2^-128).
 * HKDF is one-way, so a leaked framework key reveals neither the secret nor its siblings;
 * the flip side is that public keys cannot be derived without the secret.
 */
export function deriveKey(secret: Uint8Array, purpose: KeyPurpose): Uint8Array {
  if (!(secret instanceof Uint8Array) || secret.length !== 32) {
    throw new InvalidInputError('secret must be 32 bytes', { field: 'secret' });
  }
  const { framework, algorithm, index } = assertPurpose(purpose);
  const okm = new Uint8Array(hkdfSync('sha256', secret, new Uint8Array(0), `bsn/v1/${framework}/${algorithm}/${index}`, 48));
  // mapHashToField(x, m) lands in [1, m - 1]; m = max + 1 gives [1, max] (SM2 excludes n - 1).
  return mapHashToField(okm, maxPrivateScalar(algorithm) + 1n);
}
