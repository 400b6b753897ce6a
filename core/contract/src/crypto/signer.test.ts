import { describe, expect, test } from 'vitest';
import type { KeyAlgorithm } from '../contract/keys.js';
import { generatePrivateKey, messageDigest, publicKeyOf, verifyDigest, verifyMessage } from './algorithms.js';
import { CURVE_ORDER } from './scalars.js';
import { privateKeySigner } from './signer.js';

const ALGORITHMS: KeyAlgorithm[] = ['secp256k1', 'secp256r1', 'sm2'];

describe('privateKeySigner', () => {
  test.each(ALGORITHMS)('%s: signMessage is a signature over the message digest that signDigest would sign', async (alg) => {
    const key = generatePrivateKey(alg);
    const signer = privateKeySigner(alg, key);
    const publicKey = publicKeyOf(alg, key);
    for (let i = 0; i < 20; i++) {
      const message = new TextEncoder().encode(`message ${i}`);
      const { compact } = await signer.signMessage!(message);
      expect(verifyMessage(alg, publicKey, message, compact)).toBe(true);
      expect(verifyDigest(alg, publicKey, messageDigest(alg, message, publicKey), compact)).toBe(true);
      if (alg !== 'sm2') expect(BigInt(`0x${Buffer.from(compact.subarray(32)).toString('hex')}`) <= CURVE_ORDER[alg] / 2n).toBe(true);
      const other = new TextEncoder().encode(`message ${i}!`);
      expect(verifyMessage(alg, publicKey, other, compact)).toBe(false);
    }
  });

  test("signDigest stays deterministic (RFC 6979) and the key cannot be changed through the caller's buffer", async () => {
    const key = generatePrivateKey('secp256r1');
    const signer = privateKeySigner('secp256r1', key);
    const digest = new Uint8Array(32).fill(5);
    const a = await signer.signDigest(digest);
    key.fill(1);
    const b = await signer.signDigest(digest);
    expect(Buffer.from(b.compact).equals(Buffer.from(a.compact))).toBe(true);
    const m = new Uint8Array([1, 2, 3]);
    expect(verifyMessage('secp256r1', signer.publicKey, m, (await signer.signMessage!(m)).compact)).toBe(true);
  });
});
