import { InvalidInputError, assertPublicKey, checkKeyAlgorithmIn, type ChainAccount, type KeyAlgorithm, type Signer } from '@bsn/contract';
import { FRAMEWORK } from './framework.js';
import { accountOf } from './protocol/account.js';
import type { CryptoSuite } from './protocol/crypto-suite.js';

/**
 * A FISCO chain takes keys of its own crypto mode only: secp256k1 on a standard chain, SM2 on
 * an SM chain (a node verifies every signature with its own suite). Anything else is refused
 * before it is signed, naming the field.
 */
export function checkChainAlgorithm(suite: CryptoSuite, algorithm: unknown, field: string): asserts algorithm is KeyAlgorithm {
  checkKeyAlgorithmIn(algorithm, [suite.algorithm], field, `this ${suite.mode === 'sm' ? 'SM (国密)' : 'standard'} FISCO BCOS chain's`);
}

export function checkSigner(suite: CryptoSuite, signer: Signer, field = '/signer'): void {
  if (typeof signer !== 'object' || signer === null || typeof signer.signDigest !== 'function') {
    throw new InvalidInputError(`${field}: a signer is required`, { field });
  }
  checkChainAlgorithm(suite, signer.algorithm, `${field}/algorithm`);
}

/** The account of a public key on this chain: last 20 bytes of the chain's hash of X‖Y, lowercase 0x-hex. */
export function chainAccount(suite: CryptoSuite, publicKey: Uint8Array, algorithm: KeyAlgorithm, field = '/publicKey'): ChainAccount {
  checkChainAlgorithm(suite, algorithm, '/algorithm');
  assertPublicKey(algorithm, publicKey, field);
  return { framework: FRAMEWORK, algorithm, publicKey: Buffer.from(publicKey).toString('hex'), id: accountOf(suite, publicKey) };
}

/** A member given in an AppSpec or to addMember: an account of this chain whose id its public key makes. */
export function checkMember(suite: CryptoSuite, member: unknown, field: string): string {
  const m = member as Partial<ChainAccount> | null;
  if (typeof m !== 'object' || m === null)
    throw new InvalidInputError(`${field}: a member is a ChainAccount { framework, algorithm, publicKey, id }`, { field });
  if (m.framework !== undefined && m.framework !== FRAMEWORK) {
    throw new InvalidInputError(`${field}/framework: a ${FRAMEWORK} app's members are ${FRAMEWORK} accounts`, {
      field: `${field}/framework`,
    });
  }
  checkChainAlgorithm(suite, m.algorithm, `${field}/algorithm`);
  if (typeof m.publicKey !== 'string' || !/^[0-9a-fA-F]{130}$/.test(m.publicKey)) {
    throw new InvalidInputError(`${field}/publicKey: an uncompressed public key in hex (65 bytes)`, { field: `${field}/publicKey` });
  }
  const publicKey = Uint8Array.from(Buffer.from(m.publicKey, 'hex'));
  assertPublicKey(m.algorithm, publicKey, `${field}/publicKey`);
  const id = accountOf(suite, publicKey);
  if (typeof m.id !== 'string' || m.id.toLowerCase() !== id) {
    throw new InvalidInputError(`${field}/id: is not the account of the public key given (${id})`, { field: `${field}/id` });
  }
  return id;
}
