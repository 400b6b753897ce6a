/**
 * Log entries: what one leaf of the transparency log holds. A leaf is the RFC 8785 canonical
 * JSON of `{ kind, document }`, so its hash depends only on the document's content, never on
 * how a file happened to format it, and anyone holding a certificate can compute its leaf hash.
 */
import { InvalidInputError, canonicalJson, toHex, utf8, verifyDocument } from '@bsn/contract';
import { CERTIFICATE_DOMAIN, certificateViolations, type PluginCertificate } from '../certificate.js';
import { findTrustedCertifier, type TrustedCertifier } from '../trust.js';
import { hashLeaf } from './merkle.js';
import { REVOCATION_DOMAIN, revocationViolations, type PluginRevocation } from './revocation.js';

export type LogEntry = { kind: 'certificate'; document: PluginCertificate } | { kind: 'revocation'; document: PluginRevocation };
export type LogEntryKind = LogEntry['kind'];

/** The leaf bytes: canonical JSON of the entry. */
export function entryBytes(entry: LogEntry): Uint8Array {
  return utf8(canonicalJson({ kind: entry.kind, document: entry.document }));
}

/** The RFC 9162 leaf hash of an entry (lowercase hex). */
export function entryLeafHash(entry: LogEntry): string {
  return toHex(hashLeaf(entryBytes(entry)));
}

/** The leaf hash under which a certificate is logged: what a verifier looks it up by. */
export function certificateLeafHash(certificate: PluginCertificate): string {
  return entryLeafHash({ kind: 'certificate', document: certificate });
}

export type EntryCheck =
  { ok: true; entry: LogEntry; signer: TrustedCertifier | undefined } | { ok: false; reason: 'invalid' | 'untrusted'; message: string };

const DOMAIN: Record<LogEntryKind, string> = { certificate: CERTIFICATE_DOMAIN, revocation: REVOCATION_DOMAIN };

/** Which kind a bare signed document is, told by the domain its signature verifies under. */
function kindOf(document: unknown): LogEntryKind | undefined {
  if (typeof document !== 'object' || document === null) return undefined;
  for (const kind of ['certificate', 'revocation'] as const) {
    if (verifyDocument(document as PluginCertificate, DOMAIN[kind]).ok) return kind;
  }
  return undefined;
}

/**
 * Checks a would-be entry: either `{ kind, document }` or a bare certificate or revocation
 * (its kind told by its signature's domain). The document must be well formed and validly
 * signed; when `certifiers` is given, its signer must be one of them. Never throws.
 */
export function checkEntry(value: unknown, certifiers?: readonly TrustedCertifier[]): EntryCheck {
  const invalid = (message: string): EntryCheck => ({ ok: false, reason: 'invalid', message });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return invalid('an entry must be a JSON object');
  let kind: unknown;
  let document: unknown;
  if ('kind' in value) {
    const keys = Object.keys(value);
    if (keys.length !== 2 || !keys.includes('document')) return invalid('an entry must be { kind, document } and nothing else');
    ({ kind, document } = value as { kind: unknown; document: unknown });
    if (kind !== 'certificate' && kind !== 'revocation') return invalid(`unknown entry kind ${JSON.stringify(kind)}`);
  } else {
    document = value;
    kind = kindOf(document);
    if (!kind) return invalid('the document is not a validly signed certificate or revocation');
  }
  const k = kind as LogEntryKind;
  const violations = k === 'certificate' ? certificateViolations(document) : revocationViolations(document);
  if (violations.length > 0) return invalid(`the ${k} is malformed: ${violations.join('; ')}`);
  const doc = document as PluginCertificate | PluginRevocation;
  let verified;
  try {
    verified = verifyDocument<unknown>(doc, DOMAIN[k]);
  } catch (err) {
    return invalid(`the ${k} cannot be verified: ${(err as Error).message}`);
  }
  if (!verified.ok) return invalid(`the ${k}'s signature is invalid: ${verified.reason}`);
  const signer = certifiers ? findTrustedCertifier(certifiers, doc.signature) : undefined;
  if (certifiers && !signer) {
    return { ok: false, reason: 'untrusted', message: `the ${k} is signed by ${verified.keyId}, not by a certifier this log serves` };
  }
  return { ok: true, entry: { kind: k, document: doc } as LogEntry, signer };
}

/** Like checkEntry, throwing InvalidInputError on a refusal. */
export function toLogEntry(value: unknown, certifiers?: readonly TrustedCertifier[]): LogEntry {
  const checked = checkEntry(value, certifiers);
  if (!checked.ok) throw new InvalidInputError(checked.message, { field: 'document' });
  return checked.entry;
}
