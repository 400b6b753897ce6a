import { p256 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { createRequire } from 'node:module';
import type * as Libsecp256k1 from 'tiny-secp256k1';
import type { CompactSignature } from '../contract/keys.js';
import { hasHighS } from './scalars.js';

/** The two ECDSA curves; SM2 is a different scheme and lives in sm2.ts. */
export type EcdsaAlgorithm = 'secp256k1' | 'secp256r1';

const CURVES = { secp256k1, secp256r1: p256 } as const;

/**
 * libsecp256k1 (WASM), compiled on first use: ~12 ms at load that everything importing core
 * would pay, while only secp256k1 signing and recovery need it.
 */
let libsecp256k1: typeof Libsecp256k1 | undefined;
const secp256k1Lib = () => (libsecp256k1 ??= createRequire(import.meta.url)('tiny-secp256k1') as typeof Libsecp256k1);

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
  if (alg === 'secp256k1') {
    // libsecp256k1 (WASM) signs with the same RFC 6979 nonce (no extra data) and always low S,
    // so the bytes equal noble's (the tests hold it to that), about 4x faster: every
    // Ethereum write signs here.
    const { signature, recoveryId } = secp256k1Lib().signRecoverable(digest, privateKey);
    return { compact: signature, recovery: recoveryId };
  }
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

/**
 * The public key (65-byte uncompressed) that signed `digest` with r‖s and `recovery`, or null
 * when there is none. High S is refused as ecdsaVerifyDigest refuses it, so a recovered key
 * is never one that verification would then reject.
 */
export function ecdsaRecoverPublicKey(alg: EcdsaAlgorithm, digest: Uint8Array, compact: Uint8Array, recovery: number): Uint8Array | null {
  if (digest.length !== 32 || compact.length !== 64 || !(recovery === 0 || recovery === 1 || recovery === 2 || recovery === 3)) return null;
  if (hasHighS(alg, compact)) return null;
  try {
    // libsecp256k1 is ~5x faster than noble here (it refuses r or s outside [1, n) itself);
    // secp256r1 has no such library, noble does it.
    if (alg === 'secp256k1') return secp256k1Lib().recover(digest, compact, recovery, false);
    return CURVES[alg].Signature.fromBytes(compact, 'compact').addRecoveryBit(recovery).recoverPublicKey(digest).toBytes(false);
  } catch {
    return null;
  }
}
