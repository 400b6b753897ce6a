/**
 * The conformance report (`schemas/conformance-report.schema.json`): what the suite writes
 * after running one adapter against one chain target, and what a certifier certifies.
 */
import type { DocumentSignature, TargetKind } from '@bsn/contract';

export type { TargetKind };
export type CaseLevel = 'MUST' | 'SHOULD';
export type CaseOutcome = 'passed' | 'failed' | 'skipped';

export interface ReportCase {
  /** Stable id, e.g. `GW-003`. */
  id: string;
  title: string;
  level: CaseLevel;
  capability: string;
  outcome: CaseOutcome;
  durationMs: number;
  /** Present when failed. */
  failure?: { message: string; detail?: unknown };
  /** Present when skipped. */
  skipReason?: string;
}

export interface ConformanceReport {
  v: 1;
  /** The suite that ran, and the content digest of that build of it. */
  suite: { name: string; version: string; digest: string };
  /** The plugin under test and the capabilities its manifest claims. */
  adapter: { name: string; version: string; framework: string; digest: string; capabilities: string[] };
  target: { kind: TargetKind; name: string; node: string; emulator?: boolean };
  /** Only some cases ran (`--only`): never certifiable. */
  partial: boolean;
  /** RFC 3339 */
  startedAt: string;
  /** RFC 3339 */
  finishedAt: string;
  cases: ReportCase[];
  summary: { passed: number; failed: number; skipped: number; mustFailed: number };
  /** `pass` iff no MUST case failed and at least one case passed. */
  verdict: 'pass' | 'fail';
  /** The runner's signature (see `attest.ts`); absent on a report its certifier produced itself. */
  attestation?: ReportAttestation;
}

export interface ReportAttestation {
  runner: string;
  signature: DocumentSignature;
}

/** Counts and verdict recomputed from the cases (what `summary` and `verdict` must say). */
export function summarizeCases(cases: readonly ReportCase[]): {
  summary: ConformanceReport['summary'];
  verdict: ConformanceReport['verdict'];
} {
  const summary = { passed: 0, failed: 0, skipped: 0, mustFailed: 0 };
  for (const c of cases) {
    summary[c.outcome]++;
    if (c.outcome === 'failed' && c.level === 'MUST') summary.mustFailed++;
  }
  // A run in which nothing passed proves nothing.
  return { summary, verdict: summary.mustFailed === 0 && summary.passed > 0 ? 'pass' : 'fail' };
}

/** Whether a certificate earned with this report can only be provisional. */
export function isEmulatorTarget(target: ConformanceReport['target']): boolean {
  return target.kind === 'emulator' || target.emulator === true;
}
