import { messageDigest, recoverPublicKey, verifyDigest } from '@bsn/contract';
import type { CryptoSuite } from './crypto-suite.js';
import { concat } from './big-endian.js';

/**
 * How a transaction hash is signed on each kind of chain (bcos-crypto signature/):
 *  - standard: secp256k1 over the 32-byte hash itself, 65 bytes `r‖s‖v` with v the raw
 *    recovery id 0..3 (not Ethereum's 27/28); the sender is recovered from it;
 *  - sm: SM2 with the default user id 1234567812345678, so e = SM3(Z_A ‖ hash); 128 bytes
 *    `r‖s‖pub64`: the public key travels with the signature.
 */
export const SIGNATURE_LENGTH = { standard: 65, sm: 128 } as const;

/** The 32-byte value the signer signs (the Signer contract signs digests, never hashing again). */
export function signingDigest(suite: CryptoSuite, txHash: Uint8Array, publicKey: Uint8Array): Uint8Array {
  return suite.mode === 'sm' ? messageDigest('sm2', txHash, publicKey) : txHash;
}

/** The wire signature from a signer's `r‖s` (+ recovery id for ECDSA, public key for SM2). */
export function wireSignature(suite: CryptoSuite, compact: Uint8Array, recovery: number | undefined, publicKey: Uint8Array): Uint8Array {
  if (compact.length !== 64) throw new RangeError('a signature is 64 bytes r‖s');
  if (suite.mode === 'sm') return concat([compact, publicKey.length === 65 ? publicKey.subarray(1) : publicKey]);
  if (recovery === undefined || !Number.isInteger(recovery) || recovery < 0 || recovery > 3)
    throw new RangeError('a secp256k1 signature needs its recovery id');
  return concat([compact, Uint8Array.of(recovery)]);
}

/**
 * The 65-byte public key that signed `txHash`, or undefined when the signature is not valid
 * for this chain's mode (wrong length, bad recovery id, SM2 check failed).
 */
export function signerOf(suite: CryptoSuite, txHash: Uint8Array, signature: Uint8Array): Uint8Array | undefined {
  if (signature.length !== SIGNATURE_LENGTH[suite.mode]) return undefined;
  const compact = signature.subarray(0, 64);
  if (suite.mode === 'standard') {
    return recoverPublicKey('secp256k1', txHash, compact, signature[64]!) ?? undefined;
  }
  const publicKey = concat([Uint8Array.of(4), signature.subarray(64)]);
  try {
    return verifyDigest('sm2', publicKey, messageDigest('sm2', txHash, publicKey), compact) ? publicKey : undefined;
  } catch {
    return undefined;
  }
}
