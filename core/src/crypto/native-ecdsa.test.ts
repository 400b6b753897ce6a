import { describe, expect, test } from 'vitest';
import type { KeyAlgorithm } from '../contract/keys.js';
import { generatePrivateKey, publicKeyOf, signMessage, verifyMessage } from './algorithms.js';
import { CURVE_ORDER } from './scalars.js';
import { fromHex, toHex } from '../encoding/bytes.js';
import { fastSigner, verifyFast } from './native-ecdsa.js';

describe('fast signatures agree with core algorithms', () => {
  for (const alg of ['secp256k1', 'secp256r1', 'sm2'] as KeyAlgorithm[]) {
    test(alg, () => {
      const key = generatePrivateKey(alg);
      const pub = publicKeyOf(alg, key);
      const sign = fastSigner(alg, key);
      for (let i = 0; i < 20; i++) {
        const msg = new TextEncoder().encode(`message ${i}`);
        const ours = sign(msg);
        expect(verifyMessage(alg, pub, msg, ours)).toBe(true); // core accepts ours (low S)
        expect(verifyFast(alg, pub, msg, signMessage(alg, key, msg))).toBe(true); // we accept core's
        const tampered = new TextEncoder().encode(`message ${i}!`);
        expect(verifyFast(alg, pub, tampered, ours)).toBe(false);
      }
      if (alg !== 'sm2') {
        // the high-S twin of a valid signature is refused, as core refuses it
        const msg = new TextEncoder().encode('malleable');
        const sig = sign(msg);
        const s = BigInt(`0x${toHex(sig.subarray(32))}`);
        const high = Uint8Array.from(sig);
        high.set(fromHex((CURVE_ORDER[alg] - s).toString(16).padStart(64, '0')), 32);
        expect(verifyMessage(alg, pub, msg, high)).toBe(false);
        expect(verifyFast(alg, pub, msg, high)).toBe(false);
      }
      expect(verifyFast(alg, pub, new Uint8Array(1), new Uint8Array(10))).toBe(false);
    });
  }
});
