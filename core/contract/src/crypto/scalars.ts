import { p256 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { KEY_ALGORITHMS, type KeyAlgorithm } from '../contract/keys.js';
import { InvalidInputError } from '../errors/errors.js';

/** SM2 recommended curve order n (GB/T 32918.5-2017 §3 / GM/T 0003.5-2012). */
const SM2_N = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n;

/** Group order n of each algorithm's curve. */
export const CURVE_ORDER: Readonly<Record<KeyAlgorithm, bigint>> = Object.freeze({
  secp256k1: secp256k1.Point.Fn.ORDER,
  secp256r1: p256.Point.Fn.ORDER,
  sm2: SM2_N,
});

/**
 * Largest valid private scalar. SM2 signing divides by (1 + d), so d = n - 1 has no
 * inverse and GB/T 32918.1 §6.1 restricts d to [1, n - 2]; ECDSA allows [1, n - 1].
 */
export function maxPrivateScalar(alg: KeyAlgorithm): bigint {
  return alg === 'sm2' ? CURVE_ORDER.sm2 - 2n : CURVE_ORDER[alg] - 1n;
}

export function isKeyAlgorithm(value: unknown): value is KeyAlgorithm {
  return typeof value === 'string' && (KEY_ALGORITHMS as readonly string[]).includes(value);
}

export function assertKeyAlgorithm(value: unknown, field = 'algorithm'): asserts value is KeyAlgorithm {
  if (!isKeyAlgorithm(value)) {
    throw new InvalidInputError(`${field} must be one of ${KEY_ALGORITHMS.join(', ')}`, { field });
  }
}

export function bytesToBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt('0x' + Buffer.from(bytes).toString('hex'));
}

export function bigIntTo32Bytes(value: bigint): Uint8Array {
  return new Uint8Array(Buffer.from(value.toString(16).padStart(64, '0'), 'hex'));
}

/** n/2 per ECDSA curve as 32 big-endian bytes: S is compared bytewise, no bigint per signature. */
const HALF_ORDER = {
  secp256k1: bigIntTo32Bytes(CURVE_ORDER.secp256k1 / 2n),
  secp256r1: bigIntTo32Bytes(CURVE_ORDER.secp256r1 / 2n),
} as const;

/** Whether r‖s (64 bytes) has the high-S form that core, Ethereum and Fabric refuse. */
export function hasHighS(alg: 'secp256k1' | 'secp256r1', signature: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(signature.buffer, signature.byteOffset + 32, 32), HALF_ORDER[alg]) > 0;
}

export function isValidPrivateKey(alg: KeyAlgorithm, key: unknown): key is Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== 32) return false;
  const d = bytesToBigInt(key);
  return d >= 1n && d <= maxPrivateScalar(alg);
}

/** Refuses keys outside the group instead of reducing them: a silent reduction hides bugs. */
export function assertPrivateKey(alg: KeyAlgorithm, key: unknown, field = 'privateKey'): asserts key is Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== 32) {
    throw new InvalidInputError(`${field} must be 32 bytes`, { field });
  }
  if (!isValidPrivateKey(alg, key)) {
    throw new InvalidInputError(`${field} is outside the valid range for ${alg}`, { field });
  }
}
