import { beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../encoding/bytes.js';
import { signDocument } from '../crypto/signed-document.js';
import { ethereumAddress } from './addresses.js';
import { KEY_BINDING_DOMAIN, bindAccount, verifyBinding, type KeyBinding } from './binding.js';
import { createNetworkCa, issueIdentityCertificate, type NetworkCa } from './ca.js';
import { BsnIdentity } from './identity.js';

const DAY = 86_400_000;
let ca: NetworkCa;
let otherCa: NetworkCa;
const alice = BsnIdentity.generate();
const mallory = BsnIdentity.generate();
let aliceCert: string;
let malloryCert: string;
let binding: KeyBinding;
const ethKey = alice.keyFor('ethereum', 'secp256k1');
const account = {
  framework: 'ethereum',
  algorithm: 'secp256k1' as const,
  id: ethereumAddress(ethKey.publicKey),
  publicKey: ethKey.publicKey,
};

beforeAll(async () => {
  ca = await createNetworkCa({ name: 'BSN CA', validityDays: 3650 });
  otherCa = await createNetworkCa({ name: 'BSN CA', validityDays: 3650 });
  aliceCert = await issueIdentityCertificate(ca, { userId: 'alice', publicKey: alice.masterPublicKey, validityDays: 365 });
  malloryCert = await issueIdentityCertificate(ca, { userId: 'mallory', publicKey: mallory.masterPublicKey, validityDays: 365 });
  binding = bindAccount(alice, aliceCert, account);
});

const clone = (): KeyBinding => JSON.parse(JSON.stringify(binding));
const verify = (b: KeyBinding, cert = aliceCert, caPem = ca.certificatePem, at?: Date) =>
  verifyBinding(b, { caCertificatePem: caPem, identityCertificatePem: cert, ...(at && { at }) });

describe('bindAccount', () => {
  it('produces the documented payload, signed by the identity and by the account', () => {
    expect(binding.payload).toEqual({
      v: 1,
      userId: 'alice',
      identityKey: toHex(alice.masterPublicKey),
      certificateSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      framework: 'ethereum',
      algorithm: 'secp256k1',
      account: account.id,
      accountPublicKey: toHex(ethKey.publicKey),
      issuedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(binding.identitySignature.keyId).toBe(alice.masterKeyId);
    expect(binding.accountSignature.algorithm).toBe('secp256k1');
  });

  it('refuses a certificate of another identity and a key not derived from this identity', () => {
    expect(() => bindAccount(alice, malloryCert, account)).toThrow(/certificate does not certify/);
    const other = mallory.keyFor('ethereum', 'secp256k1');
    expect(() => bindAccount(alice, aliceCert, { ...account, publicKey: other.publicKey })).toThrow(/account.publicKey/);
    expect(() => bindAccount(alice, aliceCert, { ...account, index: 1 })).toThrow(/index 1/);
    expect(() => bindAccount(alice, aliceCert, { ...account, id: '' })).toThrow(/account id/);
  });

  it('binds every algorithm and index', async () => {
    for (const [framework, algorithm, index] of [
      ['fisco-bcos', 'sm2', 0],
      ['fabric', 'secp256r1', 3],
      ['eos', 'secp256k1', 0],
    ] as const) {
      const key = alice.keyFor(framework, algorithm, index);
      const b = bindAccount(alice, aliceCert, { framework, algorithm, id: `acct-${framework}`, publicKey: toHex(key.publicKey), index });
      expect(await verify(b)).toEqual({ ok: true, userId: 'alice', framework, algorithm, account: `acct-${framework}` });
    }
  });
});

describe('verifyBinding', () => {
  it('accepts the binding, also after a JSON round trip', async () => {
    expect(await verify(clone())).toEqual({
      ok: true,
      userId: 'alice',
      framework: 'ethereum',
      algorithm: 'secp256k1',
      account: account.id,
    });
  });

  it('refuses a swapped account key (Mallory puts her key, signs with it)', async () => {
    const b = clone();
    const key = mallory.keyFor('ethereum', 'secp256k1');
    b.payload.accountPublicKey = toHex(key.publicKey);
    b.accountSignature = signDocument(b.payload, KEY_BINDING_DOMAIN, { algorithm: 'secp256k1', privateKey: key.privateKey }).signature;
    expect(await verify(b)).toEqual({ ok: false, reason: expect.stringMatching(/^identity signature: .*does not match/) });
  });

  it('refuses an account key swapped without re-signing', async () => {
    const b = clone();
    b.payload.accountPublicKey = toHex(mallory.keyFor('ethereum', 'secp256k1').publicKey);
    expect((await verify(b)).ok).toBe(false);
  });

  it('refuses Mallory’s identity claiming Alice’s account (no proof of possession)', async () => {
    const forged = bindAccount(mallory, malloryCert, { ...account, publicKey: mallory.keyFor('ethereum', 'secp256k1').publicKey });
    forged.payload.accountPublicKey = toHex(ethKey.publicKey);
    forged.payload.account = account.id;
    forged.identitySignature = signDocument(forged.payload, KEY_BINDING_DOMAIN, {
      algorithm: 'secp256r1',
      privateKey: mallory.masterKey.privateKey,
    }).signature;
    expect(await verify(forged, malloryCert)).toEqual({
      ok: false,
      reason: expect.stringMatching(/^account signature: signed by an untrusted key/),
    });
  });

  it('refuses the binding presented with another identity’s certificate', async () => {
    expect(await verify(clone(), malloryCert)).toEqual({ ok: false, reason: 'the certificate is for mallory, the binding names alice' });
  });

  it('refuses a re-issued certificate for the same key (the binding pins the exact certificate)', async () => {
    const reissued = await issueIdentityCertificate(ca, { userId: 'alice', publicKey: alice.masterPublicKey, validityDays: 365 });
    expect(await verify(clone(), reissued)).toEqual({ ok: false, reason: 'the binding pins a different identity certificate' });
  });

  it('refuses a certificate from another CA', async () => {
    const foreign = await issueIdentityCertificate(otherCa, { userId: 'alice', publicKey: alice.masterPublicKey, validityDays: 365 });
    const b = bindAccount(alice, foreign, account);
    expect(await verify(b, foreign)).toEqual({ ok: false, reason: 'the identity certificate is not signed by this CA' });
  });

  it('refuses once the certificate has expired, and bindings dated in the future', async () => {
    expect(await verify(clone(), aliceCert, ca.certificatePem, new Date(Date.now() + 400 * DAY))).toEqual({
      ok: false,
      reason: 'the identity certificate has expired',
    });
    const future = bindAccount(alice, aliceCert, account, new Date(Date.now() + DAY));
    expect(await verify(future)).toEqual({ ok: false, reason: 'the binding is dated in the future' });
  });

  it.each<[string, (b: KeyBinding) => void, RegExp]>([
    ['account id', (b) => (b.payload.account = '0x0000000000000000000000000000000000000001'), /identity signature: .*does not match/],
    ['userId', (b) => (b.payload.userId = 'alice2'), /certificate is for alice/],
    ['framework', (b) => (b.payload.framework = 'fisco-bcos'), /identity signature: .*does not match/],
    ['issuedAt', (b) => (b.payload.issuedAt = new Date(Date.parse(b.payload.issuedAt) - 1000).toISOString()), /does not match|outside/],
    ['identityKey', (b) => (b.payload.identityKey = toHex(mallory.masterPublicKey)), /identity key is not the certified key/],
    ['certificateSha256', (b) => (b.payload.certificateSha256 = '00'.repeat(32)), /pins a different/],
    ['extra field', (b) => ((b.payload as unknown as Record<string, unknown>).admin = true), /does not match/],
    ['version', (b) => ((b.payload as unknown as Record<string, unknown>).v = 2), /unsupported binding version/],
    ['algorithm', (b) => ((b.payload as unknown as Record<string, unknown>).algorithm = 'ed25519'), /unknown account algorithm/],
    ['identity signature value', (b) => (b.identitySignature.value = b.accountSignature.value), /identity signature/],
    [
      'signatures swapped',
      (b) => ([b.identitySignature, b.accountSignature] = [b.accountSignature, b.identitySignature]),
      /identity signature: signed by an untrusted key/,
    ],
    [
      'identity signature removed',
      (b) => delete (b as Partial<KeyBinding>).identitySignature,
      /identity signature: the document is not signed/,
    ],
  ])('refuses a tampered %s', async (_name, mutate, reason) => {
    const b = clone();
    mutate(b);
    const res = await verify(b);
    expect(res.ok).toBe(false);
    expect(!res.ok && res.reason).toMatch(reason);
  });
});
