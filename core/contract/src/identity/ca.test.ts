import { X509Certificate as NodeX509 } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../encoding/bytes.js';
import { generatePrivateKey, publicKeyOf } from '../crypto/algorithms.js';
import { createNetworkCa, issueIdentityCertificate, verifyIdentityCertificate, type NetworkCa } from './ca.js';
import { BsnIdentity } from './identity.js';

const DAY = 86_400_000;
let ca: NetworkCa;
let otherCaSameName: NetworkCa;
const identity = BsnIdentity.generate();
let pem: string;

beforeAll(async () => {
  ca = await createNetworkCa({ name: 'BSN Test Network CA', validityDays: 3650 });
  otherCaSameName = await createNetworkCa({ name: 'BSN Test Network CA', validityDays: 3650 });
  pem = await issueIdentityCertificate(ca, {
    userId: 'alice@portal-1',
    portal: 'Portal One',
    publicKey: identity.masterPublicKey,
    validityDays: 365,
  });
});

describe('network CA', () => {
  it('is a self-signed P-256 CA certificate that OpenSSL accepts', () => {
    const cert = new NodeX509(ca.certificatePem);
    expect(cert.ca).toBe(true);
    expect(cert.subject).toBe('CN=BSN Test Network CA');
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(ca.privateKey.length).toBe(32);
    const jwk = cert.publicKey.export({ format: 'jwk' });
    expect(Buffer.from(jwk.x!, 'base64url').toString('hex')).toBe(toHex(publicKeyOf('secp256r1', ca.privateKey)).slice(2, 66));
  });
});

describe('identity certificate', () => {
  it('names the user in CN and SAN, the portal in O, and is signed by the CA (checked by OpenSSL)', () => {
    const cert = new NodeX509(pem);
    const caCert = new NodeX509(ca.certificatePem);
    expect(cert.subject.split('\n').sort()).toEqual(['CN=alice@portal-1', 'O=Portal One']);
    expect(cert.subjectAltName).toBe('URI:bsn:identity:alice@portal-1');
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(caCert)).toBe(true);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    const serial = BigInt('0x' + cert.serialNumber);
    expect(serial > 2n ** 64n).toBe(true);
  });

  it('verifies and returns the user id and the identity master key', async () => {
    const res = await verifyIdentityCertificate(pem, ca.certificatePem);
    expect(res).toMatchObject({ ok: true, userId: 'alice@portal-1', portal: 'Portal One' });
    expect(res.ok && toHex(res.publicKey)).toBe(toHex(identity.masterPublicKey));
  });

  it('refuses an expired certificate, and one not yet valid', async () => {
    expect(await verifyIdentityCertificate(pem, ca.certificatePem, new Date(Date.now() + 400 * DAY))).toEqual({
      ok: false,
      reason: 'the identity certificate has expired',
    });
    expect(await verifyIdentityCertificate(pem, ca.certificatePem, new Date(Date.now() - DAY))).toEqual({
      ok: false,
      reason: expect.stringMatching(/not (yet )?valid/),
    });
    const old = await issueIdentityCertificate(ca, {
      userId: 'bob',
      publicKey: identity.masterPublicKey,
      validityDays: 1,
      notBefore: new Date(Date.now() - 10 * DAY),
    });
    expect(await verifyIdentityCertificate(old, ca.certificatePem)).toEqual({ ok: false, reason: 'the identity certificate has expired' });
  });

  it('refuses a certificate from another CA, even one with the same name', async () => {
    const foreign = await issueIdentityCertificate(otherCaSameName, {
      userId: 'alice@portal-1',
      publicKey: identity.masterPublicKey,
      validityDays: 365,
    });
    expect(await verifyIdentityCertificate(foreign, ca.certificatePem)).toEqual({
      ok: false,
      reason: 'the identity certificate is not signed by this CA',
    });
    const otherName = await createNetworkCa({ name: 'Elsewhere', validityDays: 10 });
    const foreign2 = await issueIdentityCertificate(otherName, { userId: 'alice', publicKey: identity.masterPublicKey, validityDays: 5 });
    expect(await verifyIdentityCertificate(foreign2, ca.certificatePem)).toEqual({
      ok: false,
      reason: expect.stringMatching(/not by this CA/),
    });
  });

  it('refuses when the trust anchor is not a CA (an identity certificate used as CA)', async () => {
    expect(await verifyIdentityCertificate(pem, pem)).toEqual({ ok: false, reason: expect.stringMatching(/not marked as a CA/) });
  });

  it('refuses when the CA itself has expired', async () => {
    const shortCa = await createNetworkCa({ name: 'Short', validityDays: 1 });
    const cert = await issueIdentityCertificate(shortCa, { userId: 'carol', publicKey: identity.masterPublicKey, validityDays: 30 });
    expect((await verifyIdentityCertificate(cert, shortCa.certificatePem)).ok).toBe(true);
    expect(await verifyIdentityCertificate(cert, shortCa.certificatePem, new Date(Date.now() + 2 * DAY))).toEqual({
      ok: false,
      reason: 'the CA certificate is not valid at this time',
    });
  });

  it('refuses a tampered certificate (one byte of the signed part flipped)', async () => {
    const der = Buffer.from(new NodeX509(pem).raw);
    const i = der.indexOf(Buffer.from('alice@portal-1'));
    der[i] = 'b'.charCodeAt(0);
    const tampered = `-----BEGIN CERTIFICATE-----\n${der.toString('base64')}\n-----END CERTIFICATE-----\n`;
    expect(await verifyIdentityCertificate(tampered, ca.certificatePem)).toEqual({
      ok: false,
      reason: 'the identity certificate is not signed by this CA',
    });
  });

  it('refuses garbage without throwing', async () => {
    expect((await verifyIdentityCertificate('nope', ca.certificatePem)).ok).toBe(false);
    expect((await verifyIdentityCertificate(pem, 'nope')).ok).toBe(false);
  });

  it('validates issuance input', async () => {
    const pub = identity.masterPublicKey;
    await expect(issueIdentityCertificate(ca, { userId: 'a,CN=b', publicKey: pub, validityDays: 1 })).rejects.toMatchObject({
      field: 'userId',
    });
    await expect(
      issueIdentityCertificate(ca, { userId: 'a', publicKey: publicKeyOf('secp256k1', generatePrivateKey('secp256k1')), validityDays: 1 }),
    ).rejects.toMatchObject({ field: 'publicKey' });
    await expect(issueIdentityCertificate(ca, { userId: 'a', publicKey: pub, validityDays: 0 })).rejects.toMatchObject({
      field: 'validityDays',
    });
    await expect(
      issueIdentityCertificate({ ...ca, privateKey: otherCaSameName.privateKey }, { userId: 'a', publicKey: pub, validityDays: 1 }),
    ).rejects.toMatchObject({ field: 'ca.privateKey' });
  });
});
