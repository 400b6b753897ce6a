import { createPrivateKey, createPublicKey, randomBytes, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import smCrypto from 'sm-crypto';
import { describe, expect, it } from 'vitest';
import { KEY_ALGORITHMS, type KeyAlgorithm } from '../contract/keys.js';
import { isBsnError } from '../errors/errors.js';
import { fromHex, toHex, utf8 } from '../encoding/bytes.js';
import {
  generatePrivateKey,
  isValidPublicKey,
  messageDigest,
  publicKeyOf,
  signDigest,
  signMessage,
  sm3,
  verifyDigest,
  verifyMessage,
} from './algorithms.js';
import { CURVE_ORDER, bigIntTo32Bytes, bytesToBigInt } from './scalars.js';
import { privateKeySigner } from './signer.js';
import { sm2SignDigestWithNonce, sm2Za } from './sm2.js';

const ECDSA_ALGS = ['secp256k1', 'secp256r1'] as const;

describe('SM3 published vectors (GB/T 32905-2016 Appendix A)', () => {
  it('A.1 "abc"', () => {
    expect(toHex(sm3(utf8('abc')))).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
  });
  it('A.2 "abcd" x 16 (64 bytes)', () => {
    expect(toHex(sm3(utf8('abcd'.repeat(16))))).toBe('debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732');
  });
});

/**
 * GM/T 0003.5-2012 Annex A.2 = GB/T 32918.5-2017 Annex A, signature example on the
 * recommended curve. Constants cross-checked against OpenSSL's test/sm2_internal_test.c
 * (which pins Z, e, r, s for the same key, id and message).
 */
describe('SM2 published example (GM/T 0003.5-2012 A.2)', () => {
  const d = fromHex('3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8');
  const pub = fromHex(
    '04' +
      '09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020' +
      'CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13',
  );
  const message = utf8('message digest');
  const Z = 'b2e14c5c79c6df5b85f4fe7ed8db7a262b9da7e07ccb0ea9f4747b8ccda8a4f3';
  const e = 'f0b43e94ba45accaace692ed534382eb17e6ab5a19ce7b31f4486fdfc0d28640';
  const k = fromHex('59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21');
  const rs =
    'f5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3' + 'b1b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aa';

  it('derives the published public key', () => {
    expect(toHex(publicKeyOf('sm2', d))).toBe(toHex(pub));
  });
  it('computes Z_A and e with the default id 1234567812345678', () => {
    expect(toHex(sm2Za(pub))).toBe(Z);
    expect(toHex(sm2Za(pub, '1234567812345678'))).toBe(Z);
    expect(toHex(messageDigest('sm2', message, pub))).toBe(e);
  });
  it('a different user id changes Z_A', () => {
    expect(toHex(sm2Za(pub, 'ALICE123@YAHOO.COM'))).not.toBe(Z);
  });
  it('verifies the published (r, s)', () => {
    expect(verifyDigest('sm2', pub, fromHex(e), fromHex(rs))).toBe(true);
    expect(verifyMessage('sm2', pub, message, fromHex(rs))).toBe(true);
    expect(verifyMessage('sm2', pub, utf8('message digesT'), fromHex(rs))).toBe(false);
  });
  it('reproduces (r, s) with the published nonce k', () => {
    expect(toHex(sm2SignDigestWithNonce(d, fromHex(e), k).compact)).toBe(rs);
  });
  it('refuses r or s of 0 or n', () => {
    const n = bigIntTo32Bytes(CURVE_ORDER.sm2);
    const sig = fromHex(rs);
    const withR = (r: Uint8Array) => Uint8Array.from([...r, ...sig.subarray(32)]);
    const withS = (s: Uint8Array) => Uint8Array.from([...sig.subarray(0, 32), ...s]);
    expect(verifyDigest('sm2', pub, fromHex(e), withR(new Uint8Array(32)))).toBe(false);
    expect(verifyDigest('sm2', pub, fromHex(e), withS(new Uint8Array(32)))).toBe(false);
    expect(verifyDigest('sm2', pub, fromHex(e), withR(n))).toBe(false);
    expect(verifyDigest('sm2', pub, fromHex(e), withS(n))).toBe(false);
  });
});

describe('RFC 6979 A.2.5: P-256, SHA-256, message "sample"', () => {
  const x = fromHex('C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721');
  const U =
    '0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6' +
    '7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299';
  const r = 'efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716';
  const sHigh = 0xf7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8n;

  it('derives the public key and the deterministic signature, normalised to low S', () => {
    expect(toHex(publicKeyOf('secp256r1', x))).toBe(U);
    // The RFC's s is above n/2; we emit n - s, which is the same signature, non-malleable.
    const sLow = toHex(bigIntTo32Bytes(CURVE_ORDER.secp256r1 - sHigh));
    expect(sLow).toBe('0834e36ad29a83bf2bc9385e491d6099c8fdf9d1ed67aa7ea5f51f93782857a9');
    expect(toHex(signMessage('secp256r1', x, utf8('sample')))).toBe(r + sLow);
  });
  it('refuses the RFC’s original high-S form, which node:crypto accepts', () => {
    const high = fromHex(r + sHigh.toString(16));
    expect(nodeVerify('sha256', utf8('sample'), { key: jwkPublicKey('secp256r1', fromHex(U)), dsaEncoding: 'ieee-p1363' }, high)).toBe(
      true,
    );
    expect(verifyMessage('secp256r1', fromHex(U), utf8('sample'), high)).toBe(false);
  });
});

/**
 * secp256k1 RFC 6979 vectors for SHA-256 published on bitcointalk (topic 285142,
 * https://bitcointalk.org/index.php?topic=285142.msg3150733) and used by bitcoinjs-lib,
 * python-ecdsa and trezor-crypto; s is the low-S form those libraries emit.
 */
describe('secp256k1 RFC 6979 vectors (bitcointalk 285142)', () => {
  it.each([
    [
      '0000000000000000000000000000000000000000000000000000000000000001',
      'Satoshi Nakamoto',
      '934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d8' +
        '2442ce9d2b916064108014783e923ec36b49743e2ffa1c4496f01a512aafd9e5',
    ],
    [
      'fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140',
      'Satoshi Nakamoto',
      'fd567d121db66e382991534ada77a6bd3106f0a1098c231e47993447cd6af2d0' +
        '6b39cd0eb1bc8603e159ef5c20a5c8ad685a45b06ce9bebed3f153d10d93bed5',
    ],
  ])('key %s', (key, msg, sig) => {
    const sk = fromHex(key);
    expect(toHex(signMessage('secp256k1', sk, utf8(msg)))).toBe(sig);
    expect(verifyMessage('secp256k1', publicKeyOf('secp256k1', sk), utf8(msg), fromHex(sig))).toBe(true);
  });
  it('key 1 has the generator as public key', () => {
    expect(toHex(publicKeyOf('secp256k1', fromHex('01'.padStart(64, '0'))))).toBe(
      '0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798' +
        '483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8',
    );
  });
});

function jwkPublicKey(alg: 'secp256k1' | 'secp256r1', pub: Uint8Array): KeyObject {
  return createPublicKey({
    key: {
      kty: 'EC',
      crv: alg === 'secp256k1' ? 'secp256k1' : 'P-256',
      x: Buffer.from(pub.subarray(1, 33)).toString('base64url'),
      y: Buffer.from(pub.subarray(33)).toString('base64url'),
    },
    format: 'jwk',
  });
}

function jwkPrivateKey(alg: 'secp256k1' | 'secp256r1', sk: Uint8Array): KeyObject {
  const pub = publicKeyOf(alg, sk);
  return createPrivateKey({
    key: {
      kty: 'EC',
      crv: alg === 'secp256k1' ? 'secp256k1' : 'P-256',
      x: Buffer.from(pub.subarray(1, 33)).toString('base64url'),
      y: Buffer.from(pub.subarray(33)).toString('base64url'),
      d: Buffer.from(sk).toString('base64url'),
    },
    format: 'jwk',
  });
}

describe('cross-verification with node:crypto (OpenSSL)', () => {
  it.each(ECDSA_ALGS)('%s: our signatures verify in node, node’s (low-S normalised) verify in ours', (alg) => {
    for (let i = 0; i < 5; i++) {
      const sk = generatePrivateKey(alg);
      const pub = publicKeyOf(alg, sk);
      const msg = randomBytes(1 + i * 37);
      const ours = signMessage(alg, sk, msg);
      expect(nodeVerify('sha256', msg, { key: jwkPublicKey(alg, pub), dsaEncoding: 'ieee-p1363' }, ours)).toBe(true);

      const theirs = new Uint8Array(nodeSign('sha256', msg, { key: jwkPrivateKey(alg, sk), dsaEncoding: 'ieee-p1363' }));
      const s = bytesToBigInt(theirs.subarray(32));
      const n = CURVE_ORDER[alg];
      const low = s > n / 2n ? Uint8Array.from([...theirs.subarray(0, 32), ...bigIntTo32Bytes(n - s)]) : theirs;
      expect(verifyMessage(alg, pub, msg, low)).toBe(true);
      // And a flipped message bit is refused.
      const other = Uint8Array.from(msg);
      other[0] = other[0]! ^ 1;
      expect(verifyMessage(alg, pub, other, low)).toBe(false);
    }
  });
});

describe('cross-verification with sm-crypto (independent SM2 implementation)', () => {
  it('our SM2 signatures verify with sm-crypto and sm-crypto’s verify with ours', () => {
    for (let i = 0; i < 5; i++) {
      const sk = generatePrivateKey('sm2');
      const pub = publicKeyOf('sm2', sk);
      // In sm-crypto's JavaScript, missing from its type declarations.
      const sm2 = smCrypto.sm2 as unknown as { getPublicKeyFromPrivateKey(privateKey: string): string };
      expect(sm2.getPublicKeyFromPrivateKey(toHex(sk))).toBe(toHex(pub));
      const msg = Array.from(randomBytes(1 + i * 41));
      const ours = toHex(signMessage('sm2', sk, Uint8Array.from(msg)));
      expect(smCrypto.sm2.doVerifySignature(msg, ours, toHex(pub), { hash: true, der: false })).toBe(true);

      const theirs = smCrypto.sm2.doSignature(msg, toHex(sk), { hash: true, der: false, publicKey: toHex(pub) });
      expect(verifyMessage('sm2', pub, Uint8Array.from(msg), fromHex(theirs))).toBe(true);
      expect(verifyMessage('sm2', pub, Uint8Array.from([...msg, 0]), fromHex(theirs))).toBe(false);
    }
  });
});

describe('key validation', () => {
  it.each(KEY_ALGORITHMS)('%s: refuses 0, n, wrong length with InvalidInputError naming privateKey', (alg) => {
    const n = CURVE_ORDER[alg];
    for (const bad of [
      new Uint8Array(32),
      bigIntTo32Bytes(n),
      bigIntTo32Bytes(n + 1n),
      new Uint8Array(31).fill(1),
      new Uint8Array(33).fill(1),
    ]) {
      try {
        publicKeyOf(alg, bad);
        expect.unreachable();
      } catch (err) {
        expect(isBsnError(err, 'INVALID_INPUT')).toBe(true);
        expect((err as { field?: string }).field).toBe('privateKey');
      }
      expect(() => signDigest(alg, bad, new Uint8Array(32))).toThrow(/privateKey/);
    }
  });
  it('n - 1 is a valid ECDSA key but not an SM2 key (1 + d must be invertible)', () => {
    expect(() => publicKeyOf('secp256k1', bigIntTo32Bytes(CURVE_ORDER.secp256k1 - 1n))).not.toThrow();
    expect(() => publicKeyOf('sm2', bigIntTo32Bytes(CURVE_ORDER.sm2 - 1n))).toThrow(/privateKey/);
    expect(() => publicKeyOf('sm2', bigIntTo32Bytes(CURVE_ORDER.sm2 - 2n))).not.toThrow();
  });
  it('refuses an unknown algorithm and a digest that is not 32 bytes', () => {
    const sk = generatePrivateKey('secp256k1');
    expect(() => publicKeyOf('ed25519' as KeyAlgorithm, sk)).toThrow(/algorithm/);
    expect(() => signDigest('secp256k1', sk, new Uint8Array(31))).toThrow(/digest/);
  });
});

describe.each(KEY_ALGORITHMS)('%s sign/verify', (alg) => {
  const sk = generatePrivateKey(alg);
  const pub = publicKeyOf(alg, sk);
  const digest = new Uint8Array(randomBytes(32));

  it('produces 65-byte uncompressed keys and 64-byte signatures that verify', () => {
    expect(pub.length).toBe(65);
    expect(pub[0]).toBe(4);
    expect(isValidPublicKey(alg, pub)).toBe(true);
    const sig = signDigest(alg, sk, digest);
    expect(sig.compact.length).toBe(64);
    expect(verifyDigest(alg, pub, digest, sig.compact)).toBe(true);
    if (alg === 'sm2') expect(sig.recovery).toBeUndefined();
    else expect([0, 1]).toContain(sig.recovery);
  });

  it(alg === 'sm2' ? 'uses a fresh nonce per signature' : 'is deterministic (RFC 6979)', () => {
    const a = toHex(signDigest(alg, sk, digest).compact);
    const b = toHex(signDigest(alg, sk, digest).compact);
    if (alg === 'sm2') expect(a).not.toBe(b);
    else expect(a).toBe(b);
  });

  it('never throws on garbage and returns false', () => {
    const sig = signDigest(alg, sk, digest).compact;
    const otherKey = publicKeyOf(alg, generatePrivateKey(alg));
    const offCurve = Uint8Array.from(pub);
    offCurve[64] = offCurve[64]! ^ 1;
    expect(verifyDigest(alg, otherKey, digest, sig)).toBe(false);
    expect(verifyDigest(alg, offCurve, digest, sig)).toBe(false);
    expect(verifyDigest(alg, pub.subarray(0, 33), digest, sig)).toBe(false);
    expect(verifyDigest(alg, pub, digest, sig.subarray(0, 63))).toBe(false);
    expect(verifyDigest(alg, pub, digest.subarray(1), sig)).toBe(false);
    expect(verifyDigest(alg, pub, digest, new Uint8Array(64).fill(0xff))).toBe(false);
    expect(verifyDigest(alg, null as unknown as Uint8Array, digest, sig)).toBe(false);
    expect(verifyMessage(alg, offCurve, utf8('x'), sig)).toBe(false);
  });

  it('a Signer backed by the key signs digests that verify', async () => {
    const signer = privateKeySigner(alg, sk);
    expect(signer.algorithm).toBe(alg);
    expect(toHex(signer.publicKey)).toBe(toHex(pub));
    const sig = await signer.signDigest(digest);
    expect(verifyDigest(alg, pub, digest, sig.compact)).toBe(true);
    expect(Object.values(signer).some((v) => v instanceof Uint8Array && toHex(v) === toHex(sk))).toBe(false);
  });
});

describe('high-S is refused on the ECDSA curves', () => {
  it.each(ECDSA_ALGS)('%s', (alg) => {
    const sk = generatePrivateKey(alg);
    const pub = publicKeyOf(alg, sk);
    const digest = new Uint8Array(randomBytes(32));
    const sig = signDigest(alg, sk, digest).compact;
    const s = bytesToBigInt(sig.subarray(32));
    const high = Uint8Array.from([...sig.subarray(0, 32), ...bigIntTo32Bytes(CURVE_ORDER[alg] - s)]);
    expect(verifyDigest(alg, pub, digest, sig)).toBe(true);
    expect(verifyDigest(alg, pub, digest, high)).toBe(false);
  });
});
