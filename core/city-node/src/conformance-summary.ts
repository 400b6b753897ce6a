/**
 * The conformance report a plugin's certificate was earned with, summarised for the operator
 * page. The report is only a file beside the plugin; whether it is the certified run is told by
 * its digest against the one the certificate names, never assumed.
 */
import { readFile } from 'node:fs/promises';
import type { Logger } from '@bsn/contract';
import { reportSha256, type ConformanceReport, type PluginCertificate } from '@bsn/plugin-host';
import type { ConformanceSummary } from './plugin-status.js';

export async function readConformanceSummary(
  file: string,
  certificate: PluginCertificate | undefined,
  log: Logger,
): Promise<ConformanceSummary | undefined> {
  let report: ConformanceReport;
  try {
    report = JSON.parse(await readFile(file, 'utf8')) as ConformanceReport;
  } catch (err) {
    log.warn(`conformance report ${file} not shown: ${(err as Error).message}`);
    return undefined;
  }
  if (!Array.isArray(report?.cases)) {
    log.warn(`conformance report ${file} not shown: it has no cases`);
    return undefined;
  }
  const count = (outcome: string) => report.cases.filter((c) => c.outcome === outcome).length;
  return {
    suite: `${report.suite?.name ?? '?'}@${report.suite?.version ?? '?'}`,
    target: `${report.target?.kind ?? '?'} ${report.target?.name ?? '?'} (${report.target?.node ?? '?'})`,
    matchesCertificate: certificate !== undefined && reportSha256(report) === certificate.payload.report.sha256,
    passed: count('passed'),
    failed: count('failed'),
    skipped: count('skipped'),
    cases: report.cases.map((c) => ({ id: c.id, level: c.level, title: c.title, outcome: c.outcome, ms: c.durationMs })),
  };
}
