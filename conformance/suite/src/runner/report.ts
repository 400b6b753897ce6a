import { ALL_CASES } from '../cases/index.js';
import { SUITE_NAME, SUITE_VERSION } from '../case.js';
import type { CaseOutcome } from './reporter.js';
import type { ResolvedTarget } from './target.js';
import { summarizeCases, type ConformanceReport, type ReportCase } from '@bsn/plugin-host';

export type { ConformanceReport };

export function buildReport(input: {
  plugin: ConformanceReport['adapter'];
  suiteDigest: string;
  /** Only some cases were asked for (`--only`). */
  partial: boolean;
  target: ResolvedTarget;
  startedAt: Date;
  outcomes: Map<string, CaseOutcome>;
  selected: string[];
  setupErrors: string[];
}): ConformanceReport {
  const cases = ALL_CASES.filter((c) => input.selected.includes(c.id)).map((c): ReportCase => {
    // A case with no outcome never ran (the run broke before it): that is a failure, not a pass.
    const o = input.outcomes.get(c.id) ?? {
      id: c.id,
      outcome: 'failed' as const,
      durationMs: 0,
      failure: { message: input.setupErrors[0] ?? 'the case did not run' },
    };
    return {
      id: c.id,
      title: c.title,
      level: c.level,
      capability: c.capability,
      outcome: o.outcome,
      durationMs: o.durationMs,
      ...(o.failure && { failure: o.failure }),
      ...(o.skipReason && { skipReason: o.skipReason }),
    };
  });
  const { summary, verdict } = summarizeCases(cases);
  return {
    v: 1,
    suite: { name: SUITE_NAME, version: SUITE_VERSION, digest: input.suiteDigest },
    adapter: input.plugin,
    target: { kind: input.target.kind, name: input.target.name, node: input.target.node, emulator: input.target.kind === 'emulator' },
    partial: input.partial,
    startedAt: input.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    cases,
    summary,
    verdict,
  };
}

export function reportMarkdown(report: ConformanceReport): string {
  const lines = [
    `# Conformance report: ${report.adapter.name} ${report.adapter.version}`,
    '',
    `**Verdict: ${report.verdict.toUpperCase()}** — ${report.summary.passed} passed, ${report.summary.failed} failed ` +
      `(${report.summary.mustFailed} MUST), ${report.summary.skipped} skipped.`,
    '',
    `- Suite: ${report.suite.name} ${report.suite.version}`,
    `- Adapter: ${report.adapter.name} ${report.adapter.version} (${report.adapter.framework}), digest \`${report.adapter.digest}\``,
    `- Target: ${report.target.name} (${report.target.kind}), node \`${report.target.node}\``,
    ...(report.target.emulator ? ['- **This target is an emulator**: a certificate from this report is provisional.'] : []),
    `- Run: ${report.startedAt} → ${report.finishedAt}${report.partial ? ' (**partial**: only some cases ran; not certifiable)' : ''}`,
    ...(report.attestation ? [`- Signed by runner ${report.attestation.runner} (key ${report.attestation.signature.keyId})`] : []),
    '',
    '| case | level | capability | outcome | ms | title |',
    '| --- | --- | --- | --- | ---: | --- |',
    ...report.cases.map(
      (c) => `| ${c.id} | ${c.level} | ${c.capability} | ${c.outcome} | ${c.durationMs} | ${c.title.replace(/\|/g, '\\|')} |`,
    ),
  ];
  const failures = report.cases.filter((c) => c.failure);
  if (failures.length) {
    lines.push('', '## Failures', '');
    for (const c of failures) lines.push(`### ${c.id} ${c.title}`, '', '```', c.failure!.message, '```', '');
  }
  const skips = report.cases.filter((c) => c.skipReason);
  if (skips.length) {
    lines.push('', '## Skipped', '');
    for (const c of skips) lines.push(`- ${c.id}: ${c.skipReason}`);
  }
  return lines.join('\n') + '\n';
}
