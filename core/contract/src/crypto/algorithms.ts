import { randomBytes } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import type { CompactSignature, KeyAlgorithm } from '../contract/keys.js';
import { InvalidInputError } from '../errors/errors.js';
import { concatBytes } from '../encoding/bytes.js';
import { ecdsaIsValidPublicKey, ecdsaPublicKey, ecdsaRecoverPublicKey, ecdsaSignDigest, ecdsaVerifyDigest } from './ecdsa.js';
import { assertKeyAlgorithm, assertPrivateKey, isKeyAlgorithm, isValidPrivateKey } from './scalars.js';
import { SM2_DEFAULT_USER_ID, sm2IsValidPublicKey, sm2PublicKey, sm2SignDigest, sm2VerifyDigest, sm2Za } from './sm2.js';
import { sm3 } from './sm3.js';

/**
 * The one entry point for the three key algorithms of the adaptation standard. Everything
 * speaks raw bytes: 32-byte private scalars, 65-byte uncompressed SEC1 public keys,
 * 64-byte r‖s signatures. Framework encodings (DER, Ethereum v, EOS SIG_K1_…) are the
 * adapters' business.
 */

export { sm3 };
export { SM2_DEFAULT_USER_ID };

/** Uniform in the valid range by rejection sampling (a retry happens with probability ~2^-32 at most). */
export function generatePrivateKey(alg: KeyAlgorithm): Uint8Array {
  assertKeyAlgorithm(alg);
  for (;;) {
    const candidate = new Uint8Array(randomBytes(32));
    if (isValidPrivateKey(alg, candidate)) return candidate;
  }
}

export function publicKeyOf(alg: KeyAlgorithm, privateKey: Uint8Array): Uint8Array {
  assertKeyAlgorithm(alg);
  assertPrivateKey(alg, privateKey);
  return alg === 'sm2' ? sm2PublicKey(privateKey) : ecdsaPublicKey(alg, privateKey);
}

/** Whether bytes are a 65-byte uncompressed point on the algorithm's curve. */
export function isValidPublicKey(alg: KeyAlgorithm, publicKey: unknown): publicKey is Uint8Array {
  if (!isKeyAlgorithm(alg) || !(publicKey instanceof Uint8Array)) return false;
  return alg === 'sm2' ? sm2IsValidPublicKey(publicKey) : ecdsaIsValidPublicKey(alg, publicKey);
}

export function assertPublicKey(alg: KeyAlgorithm, publicKey: unknown, field = 'publicKey'): asserts publicKey is Uint8Array {
  if (!isValidPublicKey(alg, publicKey)) {
    throw new InvalidInputError(`${field} is not a 65-byte uncompressed ${alg} public key`, { field });
  }
}

/**
 * Signs a digest the caller already computed. For secp256k1/secp256r1 this is RFC 6979
 * deterministic ECDSA with low S; for sm2 the digest is e = SM3(Z_A ‖ M) (see
 * `messageDigest`) and is signed as-is with a random nonce.
 */
export function signDigest(alg: KeyAlgorithm, privateKey: Uint8Array, digest: Uint8Array): CompactSignature {
  assertKeyAlgorithm(alg);
  assertPrivateKey(alg, privateKey);
  if (!(digest instanceof Uint8Array) || digest.length !== 32) {
    throw new InvalidInputError('digest must be 32 bytes', { field: 'digest' });
  }
  return alg === 'sm2' ? sm2SignDigest(privateKey, digest) : ecdsaSignDigest(alg, privateKey, digest);
}

/** Never throws: anything malformed (key, signature, digest, high S) is simply not a valid signature. */
export function verifyDigest(alg: KeyAlgorithm, publicKey: Uint8Array, digest: Uint8Array, compact: Uint8Array): boolean {
  if (!isKeyAlgorithm(alg)) return false;
  if (!(publicKey instanceof Uint8Array) || !(digest instanceof Uint8Array) || !(compact instanceof Uint8Array)) return false;
  return alg === 'sm2' ? sm2VerifyDigest(publicKey, digest, compact) : ecdsaVerifyDigest(alg, publicKey, digest, compact);
}

/**
 * The 65-byte uncompressed public key that made `compact` (low-S r‖s) over `digest` with
 * recovery id `recovery`; null when nothing recovers (malformed input, high S, wrong id).
 * Only the ECDSA curves have recovery: sm2 is InvalidInputError.
 */
export function recoverPublicKey(alg: KeyAlgorithm, digest: Uint8Array, compact: Uint8Array, recovery: number): Uint8Array | null {
  assertKeyAlgorithm(alg);
  if (alg === 'sm2') throw new InvalidInputError('sm2 signatures carry no recovery id', { field: 'algorithm' });
  if (!(digest instanceof Uint8Array) || !(compact instanceof Uint8Array)) return null;
  return ecdsaRecoverPublicKey(alg, digest, compact, recovery);
}

/**
 * The digest a message is signed under: SHA-256 for the ECDSA curves; for sm2,
 * SM3(Z_A ‖ M), where Z_A binds the signer's public key and user id (GB/T 32918.2 §6.1).
 */
export function messageDigest(alg: KeyAlgorithm, message: Uint8Array, publicKey: Uint8Array, userId?: string): Uint8Array {
  assertKeyAlgorithm(alg);
  if (!(message instanceof Uint8Array)) throw new InvalidInputError('message must be bytes', { field: 'message' });
  if (alg !== 'sm2') return sha256(message);
  return sm3(concatBytes(sm2Za(publicKey, userId ?? SM2_DEFAULT_USER_ID), message));
}

export function signMessage(alg: KeyAlgorithm, privateKey: Uint8Array, message: Uint8Array): Uint8Array {
  const publicKey = publicKeyOf(alg, privateKey);
  return signDigest(alg, privateKey, messageDigest(alg, message, publicKey)).compact;
}

export function verifyMessage(alg: KeyAlgorithm, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (!isValidPublicKey(alg, publicKey) || !(message instanceof Uint8Array)) return false;
  return verifyDigest(alg, publicKey, messageDigest(alg, message, publicKey), signature);
}
