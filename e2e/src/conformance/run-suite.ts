import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@bsn/devnets';

export const suiteCli = join(repoRoot(), 'conformance', 'suite', 'dist', 'cli.js');

export interface SuiteRun {
  status: number | null;
  report: { cases: Array<{ id: string; outcome: string; failure?: { message: string } }> };
  output: string;
}

/** `bsn conformance run` on `adapter` (a plugin folder) against `target` (a devnet name or a network file), some cases only. */
export function runSuite(adapter: string, target: string, cases: string[]): SuiteRun {
  const out = mkdtempSync(join(tmpdir(), 'bsn-fault-report-'));
  const r = spawnSync(
    process.execPath,
    [suiteCli, 'run', '--adapter', adapter, '--target', target, '--out', out, '--only', cases.join(',')],
    {
      encoding: 'utf8',
      timeout: 300_000,
    },
  );
  const reportPath = join(out, 'conformance-report.json');
  if (!existsSync(reportPath)) throw new Error(`no report (exit ${r.status}):\n${r.stderr}`);
  return { status: r.status, report: JSON.parse(readFileSync(reportPath, 'utf8')) as SuiteRun['report'], output: r.stderr };
}

/** The ids of the cases a run failed. */
export const failedIds = (run: SuiteRun): string[] => run.report.cases.filter((c) => c.outcome === 'failed').map((c) => c.id);
