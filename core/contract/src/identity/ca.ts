import { randomBytes } from 'node:crypto';
import { InvalidInputError } from '../errors/errors.js';
import { generatePrivateKey, isValidPublicKey, publicKeyOf } from '../crypto/algorithms.js';
import { assertPrivateKey } from '../crypto/scalars.js';
import { ECDSA_SHA256, crypto, importP256PrivateKey, importP256PublicKey, p256KeyOf, parseCertificate, peculiar } from './x509.js';
import type * as X509 from '@peculiar/x509';

/** The network CA: a P-256 key and its self-signed certificate. */
export interface NetworkCa {
  certificatePem: string;
  /** Raw 32-byte P-256 scalar. Keep it in a keystore (`encryptKey`). */
  privateKey: Uint8Array;
}

export interface IdentityCertificateRequest {
  userId: string;
  /** The BSN portal (operator) that registered the user; becomes O=… in the subject. */
  portal?: string;
  /** The identity master key: 65-byte uncompressed P-256 point. */
  publicKey: Uint8Array;
  validityDays: number;
  /** Start of validity; default now. */
  notBefore?: Date;
}

export type IdentityCertificateVerification =
  { ok: true; userId: string; publicKey: Uint8Array; portal?: string; notAfter: Date } | { ok: false; reason: string };

/** The SAN URI that names an identity, so it survives any rewriting of the subject DN. */
export const IDENTITY_URI_PREFIX = 'bsn:identity:';

/** Letters, digits and . _ @ -, so a user id is safe in a DN, a URI and a file name. */
const USER_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;
const DAY_MS = 86_400_000;

export function assertUserId(userId: unknown, field = 'userId'): asserts userId is string {
  if (typeof userId !== 'string' || !USER_ID_RE.test(userId)) {
    throw new InvalidInputError(`${field} must be 1-128 of A-Z a-z 0-9 . _ @ - starting with a letter or digit`, { field });
  }
}

function assertValidityDays(days: unknown): asserts days is number {
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 36_500) {
    throw new InvalidInputError('validityDays must be an integer between 1 and 36500', { field: 'validityDays' });
  }
}

/** 16 random bytes, top bit cleared so the DER INTEGER stays positive (RFC 5280 §4.1.2.2). */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}

export async function createNetworkCa(opts: { name: string; validityDays: number; notBefore?: Date }): Promise<NetworkCa> {
  if (typeof opts.name !== 'string' || opts.name.trim() === '' || opts.name.length > 64) {
    throw new InvalidInputError('name must be 1-64 characters', { field: 'name' });
  }
  assertValidityDays(opts.validityDays);
  const privateKey = generatePrivateKey('secp256r1');
  const publicKey = publicKeyOf('secp256r1', privateKey);
  const publicCryptoKey = await importP256PublicKey(publicKey);
  const notBefore = opts.notBefore ?? new Date();
  const cert = await peculiar().X509CertificateGenerator.create(
    {
      serialNumber: randomSerial(),
      // JSON names, not "CN=…" strings, so a name containing ',' or '=' cannot add RDNs.
      subject: [{ CN: [opts.name] }],
      issuer: [{ CN: [opts.name] }],
      notBefore,
      notAfter: new Date(notBefore.getTime() + opts.validityDays * DAY_MS),
      signingAlgorithm: ECDSA_SHA256,
      publicKey: publicCryptoKey,
      signingKey: await importP256PrivateKey(privateKey, publicKey),
      extensions: [
        // pathLength 0: this CA certifies identities directly, never sub-CAs.
        new (peculiar().BasicConstraintsExtension)(true, 0, true),
        new (peculiar().KeyUsagesExtension)(peculiar().KeyUsageFlags.keyCertSign | peculiar().KeyUsageFlags.cRLSign, true),
        await peculiar().SubjectKeyIdentifierExtension.create(publicCryptoKey, false, crypto),
      ],
    },
    crypto,
  );
  return { certificatePem: cert.toString('pem'), privateKey };
}

export async function issueIdentityCertificate(ca: NetworkCa, req: IdentityCertificateRequest): Promise<string> {
  assertUserId(req.userId);
  if (req.portal !== undefined && (typeof req.portal !== 'string' || req.portal.trim() === '' || req.portal.length > 64)) {
    throw new InvalidInputError('portal must be 1-64 characters', { field: 'portal' });
  }
  if (!isValidPublicKey('secp256r1', req.publicKey)) {
    throw new InvalidInputError('publicKey must be a 65-byte uncompressed P-256 point', { field: 'publicKey' });
  }
  assertValidityDays(req.validityDays);
  assertPrivateKey('secp256r1', ca.privateKey, 'ca.privateKey');
  const caCert = parseCertificate(ca.certificatePem, 'ca.certificatePem');
  const caPublicKey = publicKeyOf('secp256r1', ca.privateKey);
  const caKeyInCert = p256KeyOf(caCert);
  if (!caKeyInCert || Buffer.compare(caKeyInCert, caPublicKey) !== 0) {
    throw new InvalidInputError('the CA private key does not belong to the CA certificate', { field: 'ca.privateKey' });
  }
  const subjectKey = await importP256PublicKey(req.publicKey);
  const notBefore = req.notBefore ?? new Date();
  const cert = await peculiar().X509CertificateGenerator.create(
    {
      serialNumber: randomSerial(),
      subject: [{ CN: [req.userId] }, ...(req.portal !== undefined ? [{ O: [req.portal] }] : [])],
      issuer: caCert.subjectName,
      notBefore,
      notAfter: new Date(notBefore.getTime() + req.validityDays * DAY_MS),
      signingAlgorithm: ECDSA_SHA256,
      publicKey: subjectKey,
      signingKey: await importP256PrivateKey(ca.privateKey, caPublicKey),
      extensions: [
        new (peculiar().BasicConstraintsExtension)(false, undefined, true),
        new (peculiar().KeyUsagesExtension)(peculiar().KeyUsageFlags.digitalSignature, true),
        new (peculiar().SubjectAlternativeNameExtension)([{ type: 'url', value: IDENTITY_URI_PREFIX + req.userId }], false),
        await peculiar().SubjectKeyIdentifierExtension.create(subjectKey, false, crypto),
        await peculiar().AuthorityKeyIdentifierExtension.create(caCert, false, crypto),
      ],
    },
    crypto,
  );
  return cert.toString('pem');
}

function fail(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}

function isEcdsaSha256(cert: X509.X509Certificate): boolean {
  const alg = cert.signatureAlgorithm as unknown as { name?: string; hash?: { name?: string } };
  return alg.name === 'ECDSA' && alg.hash?.name === 'SHA-256';
}

function within(cert: X509.X509Certificate, at: Date): boolean {
  return cert.notBefore.getTime() <= at.getTime() && at.getTime() <= cert.notAfter.getTime();
}

/**
 * Checks an identity certificate against the pinned network CA certificate, failing
 * closed: CA is a CA (basicConstraints cA, keyCertSign) and valid at `at`; the identity
 * certificate names that CA, carries its signature (ECDSA-SHA256), is valid at `at`, is
 * not itself a CA, allows digitalSignature, has a P-256 key, and its CN agrees with its
 * `bsn:identity:` SAN.
 */
export async function verifyIdentityCertificate(
  pem: string,
  caPem: string,
  at: Date = new Date(),
): Promise<IdentityCertificateVerification> {
  let cert: X509.X509Certificate;
  let ca: X509.X509Certificate;
  try {
    ca = parseCertificate(caPem, 'caPem');
  } catch {
    return fail('the CA certificate is not a valid PEM certificate');
  }
  try {
    cert = parseCertificate(pem);
  } catch {
    return fail('the identity certificate is not a valid PEM certificate');
  }

  const caConstraints = ca.getExtension(peculiar().BasicConstraintsExtension);
  if (!caConstraints?.ca) return fail('the CA certificate is not marked as a CA (basicConstraints)');
  const caUsage = ca.getExtension(peculiar().KeyUsagesExtension);
  if (caUsage && (caUsage.usages & peculiar().KeyUsageFlags.keyCertSign) === 0)
    return fail('the CA certificate may not sign certificates (keyUsage)');
  if (!within(ca, at)) return fail('the CA certificate is not valid at this time');

  if (cert.issuer !== ca.subject) return fail(`the identity certificate was issued by "${cert.issuer}", not by this CA`);
  if (!isEcdsaSha256(cert)) return fail('the identity certificate is not signed with ECDSA-SHA256');
  let signed = false;
  try {
    signed = await cert.verify({ publicKey: ca.publicKey, signatureOnly: true }, crypto);
  } catch {
    signed = false;
  }
  if (!signed) return fail('the identity certificate is not signed by this CA');
  if (at.getTime() < cert.notBefore.getTime()) return fail('the identity certificate is not yet valid');
  if (at.getTime() > cert.notAfter.getTime()) return fail('the identity certificate has expired');

  if (cert.getExtension(peculiar().BasicConstraintsExtension)?.ca) return fail('an identity certificate must not be a CA');
  const usage = cert.getExtension(peculiar().KeyUsagesExtension);
  if (!usage || (usage.usages & peculiar().KeyUsageFlags.digitalSignature) === 0)
    return fail('the identity certificate does not allow digitalSignature');

  const publicKey = p256KeyOf(cert);
  if (!publicKey) return fail('the identity certificate key is not a P-256 key');

  const cns = cert.subjectName.getField('CN');
  if (cns.length !== 1) return fail('the identity certificate must have exactly one CN');
  const userId = cns[0]!;
  const uris = (cert.getExtension(peculiar().SubjectAlternativeNameExtension)?.names.items ?? [])
    .filter((n) => n.type === 'url' && n.value.startsWith(IDENTITY_URI_PREFIX))
    .map((n) => n.value.slice(IDENTITY_URI_PREFIX.length));
  if (uris.length !== 1 || uris[0] !== userId) return fail(`the identity certificate SAN does not name ${IDENTITY_URI_PREFIX}${userId}`);
  try {
    assertUserId(userId);
  } catch {
    return fail('the identity certificate names an invalid user id');
  }
  const portal = cert.subjectName.getField('O')[0];
  return { ok: true, userId, publicKey, ...(portal !== undefined && { portal }), notAfter: cert.notAfter };
}
