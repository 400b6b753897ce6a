import { describe, expect, test } from 'vitest';
import type { KeyAlgorithm } from '../contract/keys.js';
import { generatePrivateKey, publicKeyOf, signMessage, verifyMessage } from './algorithms.js';
import { CURVE_ORDER } from './scalars.js';
import { fromHex, toHex } from '../encoding/bytes.js';
import { fastAsyncSigner, fastSigner, verifyFast, verifyFastAsync } from './native-ecdsa.js';

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

describe('the thread-pool forms agree with the synchronous ones', () => {
  for (const alg of ['secp256k1', 'secp256r1', 'sm2'] as KeyAlgorithm[]) {
    test(alg, async () => {
      const key = generatePrivateKey(alg);
      const pub = publicKeyOf(alg, key);
      const signAsync = fastAsyncSigner(alg, key);
      const msgs = Array.from({ length: 20 }, (_, i) => new TextEncoder().encode(`message ${i}`));
      // Many in flight at once, as a busy node has them.
      const sigs = await Promise.all(msgs.map((m) => signAsync(m)));
      sigs.forEach((sig, i) => expect(verifyMessage(alg, pub, msgs[i]!, sig)).toBe(true));
      expect(await Promise.all(msgs.map((m, i) => verifyFastAsync(alg, toHex(pub), m, sigs[i]!)))).toEqual(msgs.map(() => true));
      expect(await verifyFastAsync(alg, pub, msgs[0]!, signMessage(alg, key, msgs[0]!))).toBe(true);
      expect(await verifyFastAsync(alg, pub, msgs[1]!, sigs[0]!)).toBe(false);
      expect(await verifyFastAsync(alg, pub, msgs[0]!, new Uint8Array(10))).toBe(false);
      if (alg !== 'sm2') {
        const s = BigInt(`0x${toHex(sigs[0]!.subarray(32))}`);
        const high = Uint8Array.from(sigs[0]!);
        high.set(fromHex((CURVE_ORDER[alg] - s).toString(16).padStart(64, '0')), 32);
        expect(await verifyFastAsync(alg, pub, msgs[0]!, high)).toBe(false);
        expect(await verifyFastAsync(alg, new Uint8Array(65), msgs[0]!, sigs[0]!)).toBe(false);
      }
    });
  }
});
