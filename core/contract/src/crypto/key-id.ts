import { sha256 } from '@noble/hashes/sha2.js';
import type { KeyAlgorithm } from '../contract/keys.js';
import { toHex } from '../encoding/bytes.js';
import { assertKeyAlgorithm } from './scalars.js';

/**
 * A short, stable name for a public key: `<algorithm>:<first 16 bytes of SHA-256(pubkey) hex>`.
 * The algorithm is part of the id because the same 65 bytes could in principle be a point on
 * two curves, and a key id must never be ambiguous about how to verify.
 */
export function keyIdOf(algorithm: KeyAlgorithm, publicKey: Uint8Array): string {
  assertKeyAlgorithm(algorithm);
  return `${algorithm}:${toHex(sha256(publicKey).subarray(0, 16))}`;
}
