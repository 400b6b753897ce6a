import { describe, expect, it } from 'vitest';
import { toHex } from '../encoding/bytes.js';
import { publicKeyOf, verifyDigest } from '../crypto/algorithms.js';
import { keyIdOf } from '../crypto/key-id.js';
import { BsnIdentity } from './identity.js';

const SECRET = new Uint8Array(32).map((_, i) => i);

describe('BsnIdentity', () => {
  it('is deterministic from its secret and uses the derive vectors', () => {
    const a = BsnIdentity.fromSecret(SECRET);
    const b = BsnIdentity.fromSecret(Uint8Array.from(SECRET));
    expect(toHex(a.masterPublicKey)).toBe(toHex(b.masterPublicKey));
    expect(toHex(a.masterKey.privateKey)).toBe('4be233aaeeda822e20ccafada2d1c9841a4ddb5392da84a92d1018a5d284a647');
    expect(toHex(a.keyFor('ethereum', 'secp256k1').privateKey)).toBe('99fd3a379f18aa3b2d76b2db6db5052f1f11221d633313fe1d80de9f79445d5c');
    expect(toHex(a.keyFor('ethereum', 'secp256k1', 1).privateKey)).toBe('7a8c11bc4d9cdfbdaf434bcece83dadbad7cfd930822238e822f1aeba27de15d');
    expect(a.masterKeyId).toBe(keyIdOf('secp256r1', a.masterPublicKey));
    expect(a.masterKeyId.startsWith('secp256r1:')).toBe(true);
  });

  it('derives keys whose public key and signer match', async () => {
    const id = BsnIdentity.generate();
    for (const [framework, algorithm] of [
      ['fabric', 'secp256r1'],
      ['fisco-bcos', 'sm2'],
      ['eos', 'secp256k1'],
    ] as const) {
      const key = id.keyFor(framework, algorithm);
      expect(toHex(key.publicKey)).toBe(toHex(publicKeyOf(algorithm, key.privateKey)));
      expect(toHex(key.signer.publicKey)).toBe(toHex(key.publicKey));
      const digest = new Uint8Array(32).fill(7);
      expect(verifyDigest(algorithm, key.publicKey, digest, (await key.signer.signDigest(digest)).compact)).toBe(true);
    }
  });

  it('different identities have different keys; a secret round-trips', () => {
    const a = BsnIdentity.generate();
    const b = BsnIdentity.generate();
    expect(toHex(a.masterPublicKey)).not.toBe(toHex(b.masterPublicKey));
    expect(toHex(BsnIdentity.fromSecret(a.exportSecret()).keyFor('eos', 'secp256k1').publicKey)).toBe(
      toHex(a.keyFor('eos', 'secp256k1').publicKey),
    );
  });

  it('hands out copies of a derived key: a caller wiping its copy changes no later one', () => {
    const id = BsnIdentity.fromSecret(SECRET);
    const first = id.keyFor('ethereum', 'secp256k1');
    const expected = toHex(first.privateKey);
    first.privateKey.fill(0);
    first.publicKey.fill(0);
    const again = id.keyFor('ethereum', 'secp256k1');
    expect(toHex(again.privateKey)).toBe(expected);
    expect(again.signer).toBe(first.signer);
    expect(toHex(again.publicKey)).toBe(toHex(again.signer.publicKey));
  });

  it("signerFor is the derived key's signer, with the same reservation", () => {
    const id = BsnIdentity.fromSecret(SECRET);
    expect(id.signerFor('fabric', 'secp256r1')).toBe(id.keyFor('fabric', 'secp256r1').signer);
    expect(id.signerFor('fabric', 'secp256r1', 1)).not.toBe(id.signerFor('fabric', 'secp256r1'));
    expect(() => id.signerFor('bsn', 'secp256r1')).toThrow(/reserved/);
  });

  it("reserves 'bsn' for the master key and refuses bad secrets", () => {
    const id = BsnIdentity.fromSecret(SECRET);
    expect(() => id.keyFor('bsn', 'secp256r1')).toThrow(/reserved/);
    expect(() => BsnIdentity.fromSecret(new Uint8Array(31))).toThrow(/secret/);
    expect(() => BsnIdentity.fromSecret(new Uint8Array(32))).toThrow(/zero/);
  });

  it('does not leak the secret through JSON or the exported copy', () => {
    const id = BsnIdentity.fromSecret(SECRET);
    expect(JSON.stringify(id)).not.toContain(toHex(SECRET));
    expect(JSON.stringify(id)).toContain(id.masterKeyId);
    const copy = id.exportSecret();
    copy.fill(0);
    expect(toHex(id.exportSecret())).toBe(toHex(SECRET));
    const master = id.masterPublicKey;
    master.fill(0);
    expect(id.masterPublicKey[0]).toBe(4);
  });
});
