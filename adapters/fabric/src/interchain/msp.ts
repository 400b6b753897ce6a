// tsyringe (used inside @peculiar/x509) needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import { X509Certificate, verify as verifySignature } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { msp } from '@hyperledger/fabric-protos';

/**
 * Fabric identities as a verifier that pins each org's CA certificates sees them: a
 * `msp.SerializedIdentity` (MSP id + PEM certificate) is accepted for an MSP only if its
 * certificate was issued (signature checked) by one of the CA certificates pinned for that MSP
 * id, is an end-entity P-256 certificate valid at the given time, and carries the role the
 * caller asks for as a Fabric NodeOU (`OU=peer`, `OU=orderer`, …) in its subject. Signatures
 * must be DER ECDSA over SHA-256 with low S, as Fabric's MSP requires.
 */

/** Order of the P-256 group; Fabric refuses S above half of it. */
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
/** Longest PEM certificate accepted in an identity (Fabric's are ~1 KB). */
const MAX_CERT_BYTES = 16 * 1024;

export type Role = 'peer' | 'orderer' | 'client' | 'admin' | 'member';

/** The certificates pinned for one MSP, parsed. Each is a trust anchor of its own. */
export interface PinnedMsp {
  mspId: string;
  anchors: X509Certificate[];
}

export type IdentityCheck = { ok: true; mspId: string; certificate: X509Certificate; identity: Uint8Array } | { ok: false; reason: string };

/** Parses one PEM CA certificate for pinning: it must be a CA certificate with a P-256 or P-384 key. */
export function parseAnchor(pem: unknown): X509Certificate | string {
  if (typeof pem !== 'string' || !pem.includes('-----BEGIN CERTIFICATE-----')) return 'is not a PEM certificate';
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (error) {
    return `cannot be parsed (${(error as Error).message})`;
  }
  if (!cert.ca) return `is not a CA certificate (${oneLine(cert.subject)})`;
  const curve = cert.publicKey.asymmetricKeyDetails?.namedCurve;
  if (cert.publicKey.asymmetricKeyType !== 'ec' || (curve !== 'prime256v1' && curve !== 'secp384r1'))
    return 'does not hold an ECDSA P-256/P-384 key';
  return cert;
}

const oneLine = (name: string) => name.split('\n').join(', ');

/** The NodeOU roles (OU values) in a certificate's subject, read structurally. */
export function rolesOf(certificate: X509Certificate): string[] {
  try {
    return new x509.X509Certificate(certificate.raw).subjectName.getField('OU');
  } catch {
    return [];
  }
}

/** Strict DER `SEQUENCE { r INTEGER, s INTEGER }`, both in [1, n), S low. */
export function checkDerSignature(sig: Uint8Array): string | undefined {
  const fail = 'is not a DER ECDSA signature';
  if (sig.length < 8 || sig.length > 72 || sig[0] !== 0x30 || sig[1] !== sig.length - 2) return fail;
  let at = 2;
  const ints: bigint[] = [];
  for (let i = 0; i < 2; i++) {
    if (sig[at] !== 0x02) return fail;
    const len = sig[at + 1]!;
    if (len === 0 || len > 33 || at + 2 + len > sig.length) return fail;
    const body = sig.subarray(at + 2, at + 2 + len);
    if (body[0]! & 0x80) return fail; // negative
    if (len > 1 && body[0] === 0 && !(body[1]! & 0x80)) return fail; // not minimal
    ints.push(BigInt(`0x${Buffer.from(body).toString('hex')}`));
    at += 2 + len;
  }
  if (at !== sig.length) return fail;
  const [r, s] = ints as [bigint, bigint];
  if (r < 1n || r >= N || s < 1n || s >= N) return 'has r or s out of range';
  if (s > N / 2n) return 'has a high S value (Fabric accepts low S only)';
  return undefined;
}

/** Whether `signature` (DER, low S) by `certificate`'s key holds over `data` (SHA-256). */
export function signatureHolds(certificate: X509Certificate, data: Uint8Array, signature: Uint8Array): string | undefined {
  const bad = checkDerSignature(signature);
  if (bad) return `the signature ${bad}`;
  let ok = false;
  try {
    ok = verifySignature('sha256', data, { key: certificate.publicKey, dsaEncoding: 'der' }, signature);
  } catch {
    ok = false;
  }
  return ok ? undefined : 'the signature does not verify';
}

/**
 * Checks a serialized identity against the pinned MSPs: known MSP id, certificate issued by
 * one of its pinned CAs, not itself a CA, valid at `at`, with the role asked for.
 */
export function checkIdentity(identity: Uint8Array, pinned: ReadonlyMap<string, PinnedMsp>, role: Role, at: Date): IdentityCheck {
  let mspId: string;
  let pem: Uint8Array;
  try {
    const id = msp.SerializedIdentity.deserializeBinary(identity);
    mspId = id.getMspid();
    pem = id.getIdBytes_asU8();
  } catch (error) {
    return { ok: false, reason: `the identity cannot be decoded (${(error as Error).message})` };
  }
  const known = pinned.get(mspId);
  if (!known) return { ok: false, reason: `MSP ${JSON.stringify(mspId)} is not pinned` };
  if (pem.length === 0 || pem.length > MAX_CERT_BYTES)
    return { ok: false, reason: `${mspId}: the identity holds no certificate of a sane size` };
  const text = Buffer.from(pem).toString('utf8');
  if (!text.startsWith('-----BEGIN CERTIFICATE-----')) return { ok: false, reason: `${mspId}: the identity is not a PEM certificate` };
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(text);
  } catch (error) {
    return { ok: false, reason: `${mspId}: the certificate cannot be parsed (${(error as Error).message})` };
  }
  const who = `${mspId} certificate ${oneLine(certificate.subject)}`;
  if (certificate.ca) return { ok: false, reason: `${who} is a CA certificate, not an identity` };
  const key = certificate.publicKey;
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
    return { ok: false, reason: `${who} does not hold a P-256 key` };
  // As Go's x509 (Fabric's MSP) finds a parent: the issuer name's bytes are the CA's subject bytes, and
  // the CA's key verifies the certificate's signature (key identifiers are a hint there, not a rule).
  const issuerName = namesOf(certificate)?.issuer;
  const issuer = known.anchors.find(
    (a) => issuerName !== undefined && equalBytes(namesOf(a)?.subject, issuerName) && safeVerify(certificate, a),
  );
  if (!issuer) return { ok: false, reason: `${who} is not issued by a CA pinned for ${mspId}` };
  for (const [what, c] of [
    ['certificate', certificate],
    ['issuing CA', issuer],
  ] as const) {
    const from = Date.parse(c.validFrom);
    const to = Date.parse(c.validTo);
    if (Number.isNaN(from) || Number.isNaN(to)) return { ok: false, reason: `${who}: the ${what}'s validity period cannot be read` };
    if (at.getTime() < from || at.getTime() > to) {
      return { ok: false, reason: `${who}: the ${what} is not valid at ${at.toISOString()} (${c.validFrom} – ${c.validTo})` };
    }
  }
  if (role !== 'member' && !rolesOf(certificate).includes(role)) {
    return { ok: false, reason: `${who} does not have the ${role} role (no OU=${role})` };
  }
  return { ok: true, mspId, certificate, identity };
}

function safeVerify(certificate: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return certificate.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

const equalBytes = (a: Uint8Array | undefined, b: Uint8Array): boolean => a !== undefined && Buffer.from(a).equals(Buffer.from(b));

/** One DER TLV at `at`: where its value starts and ends. */
function tlv(der: Uint8Array, at: number): { tag: number; start: number; end: number } {
  const tag = der[at]!;
  let len = der[at + 1]!;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new Error('unsupported DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[start + i]!;
    start += n;
  }
  if (start + len > der.length) throw new Error('truncated DER');
  return { tag, start, end: start + len };
}

/**
 * The raw DER of a certificate's issuer and subject names (TBSCertificate fields 4 and 6), the
 * bytes Go compares when it looks for a certificate's parent.
 */
export function namesOf(certificate: X509Certificate): { issuer: Uint8Array; subject: Uint8Array } | undefined {
  try {
    const der = new Uint8Array(certificate.raw);
    const cert = tlv(der, 0);
    const tbs = tlv(der, cert.start);
    let at = tbs.start;
    const fields: Array<{ from: number; to: number }> = [];
    while (at < tbs.end && fields.length < 6) {
      const f = tlv(der, at);
      fields.push({ from: at, to: f.end });
      at = f.end;
    }
    // version [0] is optional: with it, issuer is field 3 and subject field 5 (0-based), else 2 and 4.
    const off = der[tbs.start] === 0xa0 ? 1 : 0;
    const issuer = fields[2 + off];
    const subject = fields[4 + off];
    if (!issuer || !subject) return undefined;
    return { issuer: der.subarray(issuer.from, issuer.to), subject: der.subarray(subject.from, subject.to) };
  } catch {
    return undefined;
  }
}
