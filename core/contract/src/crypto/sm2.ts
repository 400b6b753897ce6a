import { sm2 } from 'sm-crypto-v2';
import type { CompactSignature } from '../contract/keys.js';
import { InvalidInputError } from '../errors/errors.js';
import { toHex, utf8 } from '../encoding/bytes.js';
import { CURVE_ORDER, bytesToBigInt } from './scalars.js';

/**
 * SM2 signatures (GB/T 32918.2) on the recommended curve, via sm-crypto-v2. The library is
 * hex-string based and lenient (it does not range-check r and s), so every entry point here
 * validates first and speaks bytes.
 */

/** The user id both sides assume when none is agreed (GB/T 35276-2017 §10, GM/T 0009). */
export const SM2_DEFAULT_USER_ID = '1234567812345678';

/** ENTL is a 16-bit count of *bits*, so the id may be at most 8191 bytes. */
const MAX_USER_ID_BYTES = 8191;

export function sm2PublicKey(privateKey: Uint8Array): Uint8Array {
  return fromLibHex(sm2.getPublicKeyFromPrivateKey(toHex(privateKey)));
}

export function sm2IsValidPublicKey(publicKey: Uint8Array): boolean {
  if (publicKey.length !== 65 || publicKey[0] !== 0x04) return false;
  try {
    return sm2.verifyPublicKey(toHex(publicKey));
  } catch {
    return false;
  }
}

/** Z_A = SM3(ENTL_A ‖ ID_A ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A), GB/T 32918.2 §5.5. */
export function sm2Za(publicKey: Uint8Array, userId: string = SM2_DEFAULT_USER_ID): Uint8Array {
  if (typeof userId !== 'string' || utf8(userId).length > MAX_USER_ID_BYTES) {
    throw new InvalidInputError(`userId must be a string of at most ${MAX_USER_ID_BYTES} bytes`, { field: 'userId' });
  }
  if (!sm2IsValidPublicKey(publicKey)) {
    throw new InvalidInputError('publicKey is not a valid SM2 point', { field: 'publicKey' });
  }
  return Uint8Array.from(sm2.getZ(toHex(publicKey), userId));
}

/** Signs e = SM3(Z_A ‖ M) exactly as given (hash: false); the nonce comes from the CSPRNG. */
export function sm2SignDigest(privateKey: Uint8Array, e: Uint8Array): CompactSignature {
  return { compact: fromLibHex(sm2.doSignature(Uint8Array.from(e), toHex(privateKey), { hash: false })) };
}

/**
 * Test-only: signs with a caller-chosen nonce k so the published GB/T 32918 example can be
 * reproduced byte for byte. Never export this from the package: a reused or known k
 * reveals the private key.
 */
export function sm2SignDigestWithNonce(privateKey: Uint8Array, e: Uint8Array, k: Uint8Array): CompactSignature {
  const kPoint = sm2PublicKey(k); // k·G, uncompressed
  const x1 = bytesToBigInt(kPoint.subarray(1, 33));
  const pointPool = [{ k: bytesToBigInt(k), x1 }];
  return { compact: fromLibHex(sm2.doSignature(Uint8Array.from(e), toHex(privateKey), { hash: false, pointPool })) };
}

export function sm2VerifyDigest(publicKey: Uint8Array, e: Uint8Array, compact: Uint8Array): boolean {
  if (compact.length !== 64 || e.length !== 32) return false;
  // The library reduces s mod n implicitly, so s and s + n would both verify: refuse
  // anything outside [1, n-1] here (GB/T 32918.2 §7.1 B1, B2).
  const n = CURVE_ORDER.sm2;
  const r = bytesToBigInt(compact.subarray(0, 32));
  const s = bytesToBigInt(compact.subarray(32));
  if (r < 1n || r >= n || s < 1n || s >= n) return false;
  if (!sm2IsValidPublicKey(publicKey)) return false;
  try {
    return sm2.doVerifySignature(Uint8Array.from(e), toHex(compact), toHex(publicKey), { hash: false });
  } catch {
    return false;
  }
}

function fromLibHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}
