import { describe, expect, it } from 'vitest';
import { KEY_ALGORITHMS } from '../contract/keys.js';
import { fromHex, toHex, utf8 } from '../encoding/bytes.js';
import { generatePrivateKey, publicKeyOf, verifyMessage } from './algorithms.js';
import { documentSigningBytes, keyIdOf, signDocument, verifyDocument, type SignedDocument } from './signed-document.js';

const payload = { v: 1, name: 'plugin-x', digest: 'ab'.repeat(32), list: [1, 2, 3] };

describe('keyIdOf', () => {
  it('is the algorithm plus the first 16 bytes of SHA-256 of the key', () => {
    const pub = publicKeyOf('secp256k1', fromHex('01'.padStart(64, '0')));
    // sha256(04 79be…b8) computed once with node:crypto and pinned.
    expect(keyIdOf('secp256k1', pub)).toBe('secp256k1:' + '50929b74c1a04954b78b4b6035e97a5e');
    expect(keyIdOf('sm2', pub)).toBe('sm2:' + '50929b74c1a04954b78b4b6035e97a5e');
  });
});

describe('signed bytes', () => {
  it('are the domain prefix followed by canonical JSON', () => {
    expect(new TextDecoder().decode(documentSigningBytes({ b: 1, a: 2 }, 'key-binding'))).toBe('bsn:key-binding:v1\n{"a":2,"b":1}');
  });
  it('refuse a domain that could forge the prefix', () => {
    expect(() => documentSigningBytes({}, 'x:v1\nbsn:y')).toThrow(/domain/);
    expect(() => documentSigningBytes({}, '')).toThrow(/domain/);
    expect(() => documentSigningBytes({}, 'Key')).toThrow(/domain/);
  });
});

describe.each(KEY_ALGORITHMS)('signDocument / verifyDocument with %s', (algorithm) => {
  const privateKey = generatePrivateKey(algorithm);
  const publicKey = toHex(publicKeyOf(algorithm, privateKey));
  const doc = signDocument(payload, 'plugin-certificate', { algorithm, privateKey });
  const clone = (): SignedDocument<typeof payload> => JSON.parse(JSON.stringify(doc));

  it('verifies, also after a JSON round trip and with key order shuffled', () => {
    expect(verifyDocument(doc, 'plugin-certificate')).toEqual({ ok: true, keyId: doc.signature.keyId });
    const shuffled = { signature: doc.signature, payload: { list: [1, 2, 3], digest: payload.digest, name: 'plugin-x', v: 1 } };
    expect(verifyDocument(shuffled, 'plugin-certificate', [{ algorithm, publicKey: publicKey.toUpperCase() }]).ok).toBe(true);
    expect(doc.signature.keyId).toBe(keyIdOf(algorithm, fromHex(publicKey)));
    expect(doc.signature.publicKey).toBe(publicKey);
  });

  it('the signature is over the documented bytes', () => {
    expect(
      verifyMessage(algorithm, fromHex(publicKey), documentSigningBytes(payload, 'plugin-certificate'), fromHex(doc.signature.value)),
    ).toBe(true);
  });

  it('refuses a tampered payload', () => {
    const d = clone();
    d.payload.list[2] = 4;
    const res = verifyDocument(d, 'plugin-certificate');
    expect(res).toEqual({ ok: false, reason: expect.stringMatching(/does not match this payload/) });
  });

  it('refuses the right signature under another domain', () => {
    const res = verifyDocument(doc, 'key-binding');
    expect(res).toEqual({ ok: false, reason: expect.stringMatching(/does not match this payload for domain key-binding/) });
  });

  it('refuses an untrusted key, and trusts nothing when the list is empty', () => {
    const other = toHex(publicKeyOf(algorithm, generatePrivateKey(algorithm)));
    expect(verifyDocument(doc, 'plugin-certificate', [{ algorithm, publicKey: other }])).toEqual({
      ok: false,
      reason: `signed by an untrusted key ${doc.signature.keyId}`,
    });
    expect(verifyDocument(doc, 'plugin-certificate', [])).toEqual({
      ok: false,
      reason: `signed by an untrusted key ${doc.signature.keyId}`,
    });
  });

  it('refuses a key id that does not match the public key', () => {
    const d = clone();
    d.signature.keyId = keyIdOf(algorithm, publicKeyOf(algorithm, generatePrivateKey(algorithm)));
    expect(verifyDocument(d, 'plugin-certificate')).toEqual({
      ok: false,
      reason: expect.stringMatching(/key id .* does not match the signing public key/),
    });
  });

  it('refuses a signature swapped in from another key, even when that key is trusted', () => {
    const otherKey = generatePrivateKey(algorithm);
    const otherPub = toHex(publicKeyOf(algorithm, otherKey));
    const d = clone();
    d.signature.publicKey = otherPub;
    d.signature.keyId = keyIdOf(algorithm, fromHex(otherPub));
    expect(verifyDocument(d, 'plugin-certificate', [{ algorithm, publicKey: otherPub }]).ok).toBe(false);
  });

  it('refuses malformed signatures without throwing', () => {
    const cases: Array<[string, (d: any) => void, RegExp]> = [
      ['no signature', (d) => delete d.signature, /not signed/],
      ['unknown algorithm', (d) => (d.signature.algorithm = 'rsa'), /unknown signature algorithm/],
      ['bad public key', (d) => (d.signature.publicKey = 'zz'), /not a valid/],
      ['short value', (d) => (d.signature.value = d.signature.value.slice(2)), /64 bytes/],
      ['non-JSON payload', (d) => (d.payload.x = NaN), /does not match|canonical/],
    ];
    for (const [, mutate, reason] of cases) {
      const d = clone();
      mutate(d);
      const res = verifyDocument(d, 'plugin-certificate');
      expect(res.ok).toBe(false);
      expect(!res.ok && res.reason).toMatch(reason);
    }
  });
});

describe('signDocument input checks', () => {
  it('refuses a keyId that is not the key’s', () => {
    const privateKey = generatePrivateKey('secp256r1');
    expect(() => signDocument({}, 'x', { algorithm: 'secp256r1', privateKey, keyId: 'secp256r1:00' })).toThrow(/keyId/);
  });
  it('refuses a payload that is not JSON', () => {
    const privateKey = generatePrivateKey('secp256r1');
    expect(() => signDocument({ a: () => 1 }, 'x', { algorithm: 'secp256r1', privateKey })).toThrow(/not JSON/);
  });
  it('uses utf8 for the payload text', () => {
    expect(documentSigningBytes({ s: 'é' }, 'x')).toEqual(utf8('bsn:x:v1\n{"s":"é"}'));
  });
});
