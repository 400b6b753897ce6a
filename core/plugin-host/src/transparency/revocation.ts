/**
 * Certificate revocations: a certifier's signed statement that a certificate it issued must
 * no longer be honoured. A revocation is logged like a certificate, so a withdrawn
 * certificate is withdrawn in public and cannot be quietly un-withdrawn.
 *
 * The revocation names the certificate by the SHA-256 of its canonical JSON (signature
 * included), so it points at exactly one issued document, not at every certificate of a plugin.
 */
import { createHash } from 'node:crypto';
import { InvalidInputError, canonicalJson, signDocument, type SignedDocument } from '@bsn/contract';
import type { CertifierKey, PluginCertificate } from '../certificate.js';

/** The signing domain of revocations; distinct from certificates' so neither passes for the other. */
export const REVOCATION_DOMAIN = 'plugin-revocation';

export interface RevocationPayload {
  v: 1;
  /** SHA-256 (lowercase hex) of the revoked certificate's RFC 8785 canonical JSON. */
  certificate: { sha256: string };
  /** The revoked certificate's subject, for people reading the log. */
  plugin: { name: string; version: string; digest: string };
  /** Free text, at most 1024 characters. */
  reason: string;
  /** RFC 3339. */
  revokedAt: string;
  certifier: { name: string };
}

export type PluginRevocation = SignedDocument<RevocationPayload>;

/** SHA-256 (hex) of a certificate's canonical JSON: how revocations name it. */
export function certificateSha256(certificate: PluginCertificate): string {
  return createHash('sha256').update(canonicalJson(certificate), 'utf8').digest('hex');
}

/** Signs a revocation of `certificate` with the certifier's key. */
export function revokeCertificate(
  certificate: PluginCertificate,
  key: CertifierKey,
  options: { reason: string; now?: Date },
): PluginRevocation {
  if (typeof options.reason !== 'string' || options.reason.length === 0 || options.reason.length > 1024) {
    throw new InvalidInputError('a revocation needs a reason of 1 to 1024 characters', { field: 'reason' });
  }
  const p = certificate.payload;
  const payload: RevocationPayload = {
    v: 1,
    certificate: { sha256: certificateSha256(certificate) },
    plugin: { name: p.plugin.name, version: p.plugin.version, digest: p.plugin.digest },
    reason: options.reason,
    revokedAt: (options.now ?? new Date()).toISOString(),
    certifier: { name: key.name },
  };
  return signDocument(payload, REVOCATION_DOMAIN, {
    algorithm: key.algorithm,
    privateKey: key.privateKey,
    ...(key.keyId ? { keyId: key.keyId } : {}),
  });
}

const HEX64 = /^[0-9a-f]{64}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function exactKeys(value: unknown, keys: readonly string[]): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const own = Object.keys(value);
  return own.length === keys.length && keys.every((k) => own.includes(k));
}

const text = (v: unknown, max: number): boolean => typeof v === 'string' && v.length > 0 && v.length <= max;

/**
 * Shape check of a revocation (no schema file: the log is its only reader). Unknown fields
 * are refused, so a logged revocation says exactly what the signer signed and nothing more.
 */
export function revocationViolations(value: unknown): string[] {
  if (!exactKeys(value, ['payload', 'signature'])) return ['revocation: must be { payload, signature } and nothing else'];
  const p = value['payload'];
  if (!exactKeys(p, ['v', 'certificate', 'plugin', 'reason', 'revokedAt', 'certifier'])) {
    return ['revocation/payload: must have exactly v, certificate, plugin, reason, revokedAt, certifier'];
  }
  const out: string[] = [];
  if (p['v'] !== 1) out.push('revocation/payload/v: must be 1');
  if (!exactKeys(p['certificate'], ['sha256']) || !HEX64.test(String(p['certificate']['sha256'])))
    out.push('revocation/payload/certificate: must be { sha256: 64 lowercase hex digits }');
  const plugin = p['plugin'];
  if (!exactKeys(plugin, ['name', 'version', 'digest']) || !text(plugin['name'], 214) || !text(plugin['version'], 256))
    out.push('revocation/payload/plugin: must be { name, version, digest }');
  else if (!/^sha256:[0-9a-f]{64}$/.test(String(plugin['digest']))) out.push('revocation/payload/plugin/digest: must be sha256:<64 hex>');
  if (!text(p['reason'], 1024)) out.push('revocation/payload/reason: must be 1 to 1024 characters');
  if (typeof p['revokedAt'] !== 'string' || !RFC3339.test(p['revokedAt']) || Number.isNaN(Date.parse(p['revokedAt'])))
    out.push('revocation/payload/revokedAt: must be an RFC 3339 date-time');
  if (!exactKeys(p['certifier'], ['name']) || !text(p['certifier']['name'], 256))
    out.push('revocation/payload/certifier: must be { name }');
  return out;
}
