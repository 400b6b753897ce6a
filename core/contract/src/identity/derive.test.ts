import { hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KEY_ALGORITHMS } from '../contract/keys.js';
import { isBsnError } from '../errors/errors.js';
import { fromHex, toHex } from '../encoding/bytes.js';
import { CURVE_ORDER, bigIntTo32Bytes } from '../crypto/scalars.js';
import { MASTER_KEY_PURPOSE, deriveKey, type KeyPurpose } from './derive.js';

const SECRET = new Uint8Array(32).map((_, i) => i); // 00 01 02 … 1f

/** Pinned once; changing the derivation would silently move every user's accounts. */
const VECTORS: Array<[KeyPurpose, string]> = [
  [{ framework: 'bsn', algorithm: 'secp256r1' }, '4be233aaeeda822e20ccafada2d1c9841a4ddb5392da84a92d1018a5d284a647'],
  [{ framework: 'ethereum', algorithm: 'secp256k1' }, '99fd3a379f18aa3b2d76b2db6db5052f1f11221d633313fe1d80de9f79445d5c'],
  [{ framework: 'ethereum', algorithm: 'secp256k1', index: 1 }, '7a8c11bc4d9cdfbdaf434bcece83dadbad7cfd930822238e822f1aeba27de15d'],
  [{ framework: 'fisco-bcos', algorithm: 'sm2' }, '7a7879535303f8beca246e0ee1dc85e7cc8af700a5c76e48cc340f5eb6c8c64a'],
  [{ framework: 'fisco-bcos', algorithm: 'secp256k1' }, 'b615aa841b66f0853196412073d0374239478f626cc819fc7cf3f95a8d87ae6d'],
];

describe('deriveKey', () => {
  it.each(VECTORS)('pinned vector %j', (purpose, expected) => {
    expect(toHex(deriveKey(SECRET, purpose))).toBe(expected);
  });

  it.each(VECTORS)('matches the documented construction computed independently (%j)', (purpose, expected) => {
    const info = `bsn/v1/${purpose.framework}/${purpose.algorithm}/${purpose.index ?? 0}`;
    const okm = Buffer.from(hkdfSync('sha256', SECRET, Buffer.alloc(0), info, 48));
    const max = purpose.algorithm === 'sm2' ? CURVE_ORDER.sm2 - 2n : CURVE_ORDER[purpose.algorithm] - 1n;
    const d = (BigInt('0x' + okm.toString('hex')) % max) + 1n;
    expect(toHex(bigIntTo32Bytes(d))).toBe(expected);
  });

  it('the master key purpose is bsn/secp256r1/0', () => {
    expect(toHex(deriveKey(SECRET, MASTER_KEY_PURPOSE))).toBe(VECTORS[0]![1]);
    expect(toHex(deriveKey(SECRET, { ...MASTER_KEY_PURPOSE, index: 0 }))).toBe(VECTORS[0]![1]);
  });

  it('gives different keys for different frameworks, algorithms, indices and secrets', () => {
    const seen = new Set<string>();
    for (const framework of ['ethereum', 'fabric', 'fisco-bcos', 'eos']) {
      for (const algorithm of KEY_ALGORITHMS) {
        for (const index of [0, 1, 2]) seen.add(toHex(deriveKey(SECRET, { framework, algorithm, index })));
      }
    }
    expect(seen.size).toBe(4 * 3 * 3);
    const other = Uint8Array.from(SECRET);
    other[31] = other[31]! ^ 1;
    expect(toHex(deriveKey(other, { framework: 'ethereum', algorithm: 'secp256k1' }))).not.toBe(VECTORS[1]![1]);
  });

  it('returns keys inside the valid range', () => {
    for (let i = 0; i < 50; i++) {
      const d = BigInt('0x' + toHex(deriveKey(SECRET, { framework: 'eos', algorithm: 'sm2', index: i })));
      expect(d >= 1n && d <= CURVE_ORDER.sm2 - 2n).toBe(true);
    }
  });

  it.each([
    [{ framework: 'eth/ereum', algorithm: 'secp256k1' }, 'framework'],
    [{ framework: '', algorithm: 'secp256k1' }, 'framework'],
    [{ framework: 'Ethereum', algorithm: 'secp256k1' }, 'framework'],
    [{ framework: 'ethereum', algorithm: 'ed25519' }, 'algorithm'],
    [{ framework: 'ethereum', algorithm: 'secp256k1', index: -1 }, 'index'],
    [{ framework: 'ethereum', algorithm: 'secp256k1', index: 1.5 }, 'index'],
    [{ framework: 'ethereum', algorithm: 'secp256k1', index: 2 ** 31 }, 'index'],
  ])('refuses %j (field %s)', (purpose, field) => {
    try {
      deriveKey(SECRET, purpose as KeyPurpose);
      expect.unreachable();
    } catch (err) {
      expect(isBsnError(err, 'INVALID_INPUT')).toBe(true);
      expect((err as { field?: string }).field).toBe(field);
    }
  });

  it('refuses a secret that is not 32 bytes', () => {
    expect(() => deriveKey(fromHex('00'.repeat(31)), { framework: 'eos', algorithm: 'secp256k1' })).toThrow(/secret/);
  });
});
