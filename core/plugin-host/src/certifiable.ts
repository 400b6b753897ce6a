/**
 * Only a complete, passing run of the pinned suite certifies. The suite's catalog (its cases
 * by version, with their level and capability) comes from the suite package itself, never from
 * the report, so a report cannot certify by leaving cases out or by relabelling them.
 */
import { CERTIFIABLE_KINDS, InvalidInputError } from '@bsn/contract';
import type { ConformanceReport, CaseLevel } from './report.js';

/** What a suite version consists of, as the suite package pins it. */
export interface SuiteCatalog {
  name: string;
  version: string;
  cases: ReadonlyArray<{ id: string; level: CaseLevel; capability: string }>;
  /** Capabilities every adapter must claim. */
  requiredCapabilities: readonly string[];
  /** The content digest of the suite build the certifier has; a report from another build of this version is refused. */
  digest?: string;
}

function refuse(message: string, field: string): never {
  throw new InvalidInputError(message, { field });
}

/** Throws InvalidInputError naming the first reason `report` may not be certified. */
export function checkCertifiable(report: ConformanceReport, suite: SuiteCatalog): void {
  if (!CERTIFIABLE_KINDS.includes(report.target.kind)) {
    refuse(
      `a run on target ${report.target.name} is not certifiable: it is a ${report.target.kind} target, not a chain (certify on a devnet the adapter contributes or an endpoint network)`,
      '/target/kind',
    );
  }
  if (report.suite.name !== suite.name || report.suite.version !== suite.version) {
    refuse(
      `the report is from suite ${report.suite.name} ${report.suite.version}; this certifier certifies with ${suite.name} ${suite.version}`,
      '/suite',
    );
  }
  if (suite.digest && report.suite.digest !== suite.digest) {
    refuse(
      `the report was produced by another build of suite ${suite.version} (${report.suite.digest}, not ${suite.digest})`,
      '/suite/digest',
    );
  }
  const byId = new Map(report.cases.map((c) => [c.id, c]));
  const missing = suite.cases.filter((c) => !byId.has(c.id)).map((c) => c.id);
  if (report.partial || missing.length > 0) {
    refuse(
      `only a complete run certifies: ${report.partial ? 'the run was partial (--only); ' : ''}${missing.length} case(s) of suite ${suite.version} are missing: ${missing.join(', ')}`,
      '/cases',
    );
  }
  const unknown = report.cases.filter((c) => !suite.cases.some((s) => s.id === c.id)).map((c) => c.id);
  if (unknown.length) refuse(`the report holds cases suite ${suite.version} does not have: ${unknown.join(', ')}`, '/cases');
  const claimed = new Set(report.adapter.capabilities);
  const unclaimed = suite.requiredCapabilities.filter((c) => !claimed.has(c));
  if (unclaimed.length) refuse(`the adapter does not claim the required capabilities ${unclaimed.join(', ')}`, '/adapter/capabilities');
  const problems: string[] = [];
  for (const pinned of suite.cases) {
    const ran = byId.get(pinned.id)!;
    if (ran.level !== pinned.level || ran.capability !== pinned.capability) {
      problems.push(`${pinned.id} is ${pinned.level} ${pinned.capability} in the suite, ${ran.level} ${ran.capability} in the report`);
    } else if (ran.outcome === 'failed' && pinned.level === 'MUST') {
      problems.push(`${pinned.id} failed`);
    } else if (pinned.level === 'MUST' && claimed.has(pinned.capability) && ran.outcome !== 'passed') {
      problems.push(`${pinned.id} (${pinned.capability}, claimed) was ${ran.outcome}${ran.skipReason ? `: ${ran.skipReason}` : ''}`);
    }
  }
  if (problems.length) refuse(`every MUST case of a claimed capability must pass: ${problems.join('; ')}`, '/cases');
  if (!report.cases.some((c) => c.outcome === 'passed')) refuse('a run in which no case passed proves nothing', '/cases');
}
