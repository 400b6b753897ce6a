import { p256 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import type { CompactSignature } from '../contract/keys.js';

/** The two ECDSA curves; SM2 is a different scheme and lives in sm2.ts. */
export type EcdsaAlgorithm = 'secp256k1' | 'secp256r1';

const CURVES = { secp256k1, secp256r1: p256 } as const;

export function ecdsaPublicKey(alg: EcdsaAlgorithm, privateKey: Uint8Array): Uint8Array {
  return CURVES[alg].getPublicKey(privateKey, false);
}

export function ecdsaIsValidPublicKey(alg: EcdsaAlgorithm, publicKey: Uint8Array): boolean {
  try {
    return publicKey.length === 65 && publicKey[0] === 0x04 && CURVES[alg].utils.isValidPublicKey(publicKey, false);
  } catch {
    return false;
  }
}

/**
 * RFC 6979 deterministic nonce (no extra entropy) so a signature is reproducible and a bad
 * RNG can never leak the key; low-S so the signature is not malleable (Ethereum, Fabric
 * and Bitcoin all reject or normalise high-S).
 */
export function ecdsaSignDigest(alg: EcdsaAlgorithm, privateKey: Uint8Array, digest: Uint8Array): CompactSignature {
  // prehash: false because the caller's digest is final; noble would otherwise SHA-256 it again.
  const recovered = CURVES[alg].sign(digest, privateKey, { prehash: false, lowS: true, format: 'recovered' });
  return { compact: recovered.slice(1), recovery: recovered[0]! };
}

export function ecdsaVerifyDigest(alg: EcdsaAlgorithm, publicKey: Uint8Array, digest: Uint8Array, compact: Uint8Array): boolean {
  if (compact.length !== 64 || digest.length !== 32 || publicKey.length !== 65 || publicKey[0] !== 0x04) return false;
  try {
    return CURVES[alg].verify(compact, digest, publicKey, { prehash: false, lowS: true, format: 'compact' });
  } catch {
    return false;
  }
}
