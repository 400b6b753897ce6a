/**
 * Plugin certificates (`schemas/plugin-certificate.schema.json`): a certifier's signed
 * statement that one build of a plugin — named by its content digest — passed the
 * conformance suite on a chain target. Stored as `bsn-certificate.json` beside the manifest.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import type { KeyAlgorithm } from '@bsn/contract';
import { InvalidInputError, canonicalJson, signDocument, type SignedDocument, formatViolations, validateSchema } from '@bsn/contract';
import { checkCertifiable, type SuiteCatalog } from './certifiable.js';
import { isEmulatorTarget, summarizeCases, type ConformanceReport, type TargetKind } from './report.js';

/** The signing domain of plugin certificates (see core's signed documents). */
export const CERTIFICATE_DOMAIN = 'plugin-certificate';
export const DEFAULT_VALIDITY_DAYS = 365;
export const MAX_VALIDITY_DAYS = 3650;
const DAY_MS = 86_400_000;

export interface CertificatePayload {
  v: 1;
  plugin: { name: string; version: string; framework: string; digest: string };
  suite: { name: string; version: string };
  target: { kind: TargetKind; node: string; name: string };
  verdict: 'pass';
  /** `provisional` when the suite ran on an emulator. */
  level: 'full' | 'provisional';
  /** SHA-256 (hex) of the report's RFC 8785 canonical JSON. */
  report: { sha256: string };
  /** RFC 3339; the certificate is not valid before. */
  issuedAt: string;
  /** RFC 3339; the certificate is not valid at or after. */
  expiresAt: string;
  certifier: { name: string };
}

export type PluginCertificate = SignedDocument<CertificatePayload>;

/** A certifier's private key, as decrypted from its keystore file. */
export interface CertifierKey {
  algorithm: KeyAlgorithm;
  privateKey: Uint8Array;
  /** Written into the certificate as `certifier.name`. */
  name: string;
  keyId?: string;
}

export interface IssueOptions {
  /** The pinned catalog of the suite the report must be a complete, passing run of. */
  suite: SuiteCatalog;
  /** Default 365, at most 3650. */
  validityDays?: number;
  /** Issue time; default now. */
  now?: Date;
}

/** SHA-256 (lowercase hex) of a report's RFC 8785 canonical JSON: independent of formatting. */
export function reportSha256(report: unknown): string {
  return createHash('sha256').update(canonicalJson(report), 'utf8').digest('hex');
}

/**
 * Checks a report against its schema and its own arithmetic; throws InvalidInputError
 * saying what is wrong. Returns it typed.
 */
export function validateReport(report: unknown): ConformanceReport {
  const result = validateSchema('conformance-report', report);
  if (!result.ok) {
    throw new InvalidInputError(`the conformance report is invalid:\n${formatViolations('report', result.violations)}`, {
      field: result.violations[0]?.pointer || '/',
    });
  }
  const typed = report as ConformanceReport;
  const { summary, verdict } = summarizeCases(typed.cases);
  const s = typed.summary;
  if (s.passed !== summary.passed || s.failed !== summary.failed || s.skipped !== summary.skipped || s.mustFailed !== summary.mustFailed) {
    throw new InvalidInputError(
      `the conformance report is inconsistent: its summary says ${JSON.stringify(s)} but its cases count ${JSON.stringify(summary)}`,
      { field: '/summary' },
    );
  }
  if (typed.verdict !== verdict) {
    throw new InvalidInputError(
      `the conformance report is inconsistent: verdict "${typed.verdict}" but ${summary.mustFailed} MUST case(s) failed`,
      {
        field: '/verdict',
      },
    );
  }
  if (Date.parse(typed.finishedAt) < Date.parse(typed.startedAt)) {
    throw new InvalidInputError('the conformance report is inconsistent: finishedAt is before startedAt', { field: '/finishedAt' });
  }
  return typed;
}

/**
 * Turns a passing conformance report into a certificate signed by the certifier. Refuses
 * (InvalidInputError) a report that fails its schema, is inconsistent, or did not pass.
 * The level is `provisional` when the target was an emulator.
 */
export function issueCertificate(report: unknown, certifierKey: CertifierKey, options: IssueOptions): PluginCertificate {
  const valid = validateReport(report);
  checkCertifiable(valid, options.suite);
  if (valid.verdict !== 'pass') {
    const failed = valid.cases.filter((c) => c.outcome === 'failed' && c.level === 'MUST').map((c) => c.id);
    throw new InvalidInputError(
      `only passing reports are certified: verdict is "${valid.verdict}" (${failed.length} MUST case(s) failed: ${failed.join(', ')})`,
      { field: '/verdict' },
    );
  }
  const validityDays = options.validityDays ?? DEFAULT_VALIDITY_DAYS;
  if (!Number.isInteger(validityDays) || validityDays < 1 || validityDays > MAX_VALIDITY_DAYS) {
    throw new InvalidInputError(`validity must be a whole number of days from 1 to ${MAX_VALIDITY_DAYS} (got ${validityDays})`, {
      field: 'validityDays',
    });
  }
  if (!certifierKey.name || typeof certifierKey.name !== 'string') {
    throw new InvalidInputError('the certifier key has no name', { field: 'name' });
  }
  const now = options.now ?? new Date();
  const payload: CertificatePayload = {
    v: 1,
    plugin: { name: valid.adapter.name, version: valid.adapter.version, framework: valid.adapter.framework, digest: valid.adapter.digest },
    suite: { name: valid.suite.name, version: valid.suite.version },
    target: { kind: valid.target.kind, node: valid.target.node, name: valid.target.name },
    verdict: 'pass',
    level: isEmulatorTarget(valid.target) ? 'provisional' : 'full',
    report: { sha256: reportSha256(valid) },
    issuedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + validityDays * DAY_MS).toISOString(),
    certifier: { name: certifierKey.name },
  };
  return signDocument(payload, CERTIFICATE_DOMAIN, {
    algorithm: certifierKey.algorithm,
    privateKey: certifierKey.privateKey,
    ...(certifierKey.keyId ? { keyId: certifierKey.keyId } : {}),
  });
}

/** Schema check of a parsed certificate: the violations, or none. */
export function certificateViolations(value: unknown): string[] {
  const result = validateSchema('plugin-certificate', value);
  return result.ok ? [] : formatViolations('certificate', result.violations).split('\n');
}

/** Reads a certificate file: `undefined` when absent; throws for unreadable or non-JSON files. */
export async function readCertificateFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return JSON.parse(text) as unknown;
}

export async function writeCertificate(path: string, certificate: PluginCertificate): Promise<void> {
  await writeFile(path, `${JSON.stringify(certificate, null, 2)}\n`, 'utf8');
}
