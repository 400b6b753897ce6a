import { spawn } from 'node:child_process';
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

/**
 * `bsn conformance run` on `adapter` (a plugin folder) against `target` (a devnet name or a
 * network file), some cases only. Asynchronous: a devnet started by the calling process (a
 * Fabric network's chaincode server) must keep answering while the suite runs.
 */
export async function runSuite(adapter: string, target: string, cases: string[]): Promise<SuiteRun> {
  const out = mkdtempSync(join(tmpdir(), 'bsn-fault-report-'));
  const child = spawn(
    process.execPath,
    [suiteCli, 'run', '--adapter', adapter, '--target', target, '--out', out, '--only', cases.join(',')],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
  const status = await new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  clearTimeout(timer);
  const reportPath = join(out, 'conformance-report.json');
  if (!existsSync(reportPath)) throw new Error(`no report (exit ${status}):\n${stderr}`);
  return { status, report: JSON.parse(readFileSync(reportPath, 'utf8')) as SuiteRun['report'], output: stderr };
}

/** The ids of the cases a run failed. */
export const failedIds = (run: SuiteRun): string[] => run.report.cases.filter((c) => c.outcome === 'failed').map((c) => c.id);
