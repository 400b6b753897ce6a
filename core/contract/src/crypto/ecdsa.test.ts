import { randomBytes } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { describe, expect, it } from 'vitest';
import { isBsnError } from '../errors/errors.js';
import { toHex } from '../encoding/bytes.js';
import { generatePrivateKey, publicKeyOf, recoverPublicKey, signDigest, verifyDigest } from './algorithms.js';
import { CURVE_ORDER, bigIntTo32Bytes, bytesToBigInt } from './scalars.js';

/** What core signed with before secp256k1 moved to libsecp256k1: the bytes must not change. */
function nobleSign(privateKey: Uint8Array, digest: Uint8Array): { compact: string; recovery: number } {
  const recovered = secp256k1.sign(digest, privateKey, { prehash: false, lowS: true, format: 'recovered' });
  return { compact: toHex(recovered.slice(1)), recovery: recovered[0]! };
}

const n = CURVE_ORDER.secp256k1;

describe('secp256k1 signDigest (libsecp256k1) is byte-identical to @noble/curves', () => {
  it('for 500 random keys and digests', () => {
    for (let i = 0; i < 500; i++) {
      const sk = generatePrivateKey('secp256k1');
      const digest = new Uint8Array(randomBytes(32));
      const ours = signDigest('secp256k1', sk, digest);
      expect({ compact: toHex(ours.compact), recovery: ours.recovery }).toEqual(nobleSign(sk, digest));
    }
  });

  it('for edge keys (1, n-1) and digests (0, n, n+1, 2^256-1) where a digest must be reduced mod n', () => {
    const keys = [bigIntTo32Bytes(1n), bigIntTo32Bytes(n - 1n), generatePrivateKey('secp256k1')];
    const digests = [
      new Uint8Array(32),
      bigIntTo32Bytes(n),
      bigIntTo32Bytes(n + 1n),
      new Uint8Array(32).fill(0xff),
      bigIntTo32Bytes(n - 1n),
    ];
    for (const sk of keys) {
      for (const digest of digests) {
        const ours = signDigest('secp256k1', sk, digest);
        expect({ compact: toHex(ours.compact), recovery: ours.recovery }).toEqual(nobleSign(sk, digest));
        expect(verifyDigest('secp256k1', publicKeyOf('secp256k1', sk), digest, ours.compact)).toBe(true);
      }
    }
  });

  it('does not keep a view of a shared buffer: an earlier signature survives the next one', () => {
    const sk = generatePrivateKey('secp256k1');
    const a = signDigest('secp256k1', sk, new Uint8Array(32).fill(1));
    const copy = toHex(a.compact);
    signDigest('secp256k1', sk, new Uint8Array(32).fill(2));
    expect(toHex(a.compact)).toBe(copy);
  });
});

describe.each(['secp256k1', 'secp256r1'] as const)('%s recoverPublicKey', (alg) => {
  const curve = alg === 'secp256k1' ? secp256k1 : p256;

  it('recovers the signer for random keys and agrees with noble', () => {
    for (let i = 0; i < 50; i++) {
      const sk = generatePrivateKey(alg);
      const digest = new Uint8Array(randomBytes(32));
      const { compact, recovery } = signDigest(alg, sk, digest);
      const recovered = recoverPublicKey(alg, digest, compact, recovery!);
      expect(toHex(recovered!)).toBe(toHex(publicKeyOf(alg, sk)));
      const noble = curve.Signature.fromBytes(compact, 'compact').addRecoveryBit(recovery!).recoverPublicKey(digest).toBytes(false);
      expect(toHex(recovered!)).toBe(toHex(noble));
      // The other parity is a valid signature of some other key.
      const other = recoverPublicKey(alg, digest, compact, recovery! ^ 1);
      expect(other === null || toHex(other) !== toHex(recovered!)).toBe(true);
    }
  });

  it('returns null for high S, malformed input and an impossible id', () => {
    const sk = generatePrivateKey(alg);
    const digest = new Uint8Array(randomBytes(32));
    const { compact, recovery } = signDigest(alg, sk, digest);
    const high = Uint8Array.from([...compact.subarray(0, 32), ...bigIntTo32Bytes(CURVE_ORDER[alg] - bytesToBigInt(compact.subarray(32)))]);
    expect(recoverPublicKey(alg, digest, high, recovery! ^ 1)).toBeNull();
    expect(recoverPublicKey(alg, digest, compact.subarray(0, 63), recovery!)).toBeNull();
    expect(recoverPublicKey(alg, digest.subarray(1), compact, recovery!)).toBeNull();
    expect(recoverPublicKey(alg, digest, new Uint8Array(64), recovery!)).toBeNull();
    expect(recoverPublicKey(alg, digest, new Uint8Array(64).fill(0xff), recovery!)).toBeNull();
    expect(recoverPublicKey(alg, digest, compact, 4)).toBeNull();
    expect(recoverPublicKey(alg, digest, compact, -1)).toBeNull();
    expect(recoverPublicKey(alg, digest, compact, undefined as unknown as number)).toBeNull();
    expect(recoverPublicKey(alg, null as unknown as Uint8Array, compact, recovery!)).toBeNull();
    // r whose x is not on the curve (x = 5 has no point on secp256k1; searched for p256 too).
    const rNoPoint = Uint8Array.from([...bigIntTo32Bytes(noPointX(alg)), ...compact.subarray(32)]);
    expect(recoverPublicKey(alg, digest, rNoPoint, 0)).toBeNull();
  });

  it('refuses sm2 with InvalidInputError', () => {
    try {
      recoverPublicKey('sm2', new Uint8Array(32), new Uint8Array(64), 0);
      expect.unreachable();
    } catch (err) {
      expect(isBsnError(err, 'INVALID_INPUT')).toBe(true);
    }
  });

  function noPointX(a: typeof alg): bigint {
    for (let x = 1n; ; x++) {
      try {
        (a === 'secp256k1' ? secp256k1 : p256).Point.fromBytes(Uint8Array.from([2, ...bigIntTo32Bytes(x)]));
      } catch {
        return x;
      }
    }
  }
});
