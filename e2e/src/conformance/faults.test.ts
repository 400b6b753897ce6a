import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAULTS, writeFaultyEthereumPlugin, type Fault } from './ethereum-variants.js';
import { repoRoot } from '@bsn/devnets';
import { AnvilDevnet } from '@bsn/adapter-ethereum/devnets';

const root = repoRoot();
const cli = join(root, 'conformance', 'suite', 'dist', 'cli.js');
const adapterDir = join(root, 'adapters', 'ethereum');
type Known = { catches: readonly string[]; target?: string };
const targetOf = (f: Known) => f.target ?? 'anvil';
/** Per target, the cases some fault is caught on (plus DSC-001, which no fault touches). */
function casesOn(target: string): string[] {
  const ids = (Object.values(FAULTS) as Known[]).filter((f) => targetOf(f) === target).flatMap((f) => f.catches);
  return ['DSC-001', ...new Set(ids)];
}

function runSuite(
  adapter: string,
  target: string,
  cases: string[],
): {
  status: number | null;
  report: { cases: Array<{ id: string; outcome: string; failure?: { message: string } }> };
  output: string;
} {
  const out = mkdtempSync(join(tmpdir(), 'bsn-fault-report-'));
  const r = spawnSync(process.execPath, [cli, 'run', '--adapter', adapter, '--target', target, '--out', out, '--only', cases.join(',')], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  const reportPath = join(out, 'conformance-report.json');
  if (!existsSync(reportPath)) throw new Error(`no report (exit ${r.status}):\n${r.stderr}`);
  return { status: r.status, report: JSON.parse(readFileSync(reportPath, 'utf8')), output: r.stderr };
}

async function prerequisites(): Promise<string | undefined> {
  if (!existsSync(cli) || !existsSync(join(adapterDir, 'dist', 'index.js')))
    return 'the build is missing (run npm test, which builds first)';
  const anvil = await new AnvilDevnet().available();
  return anvil.ok ? undefined : anvil.reason;
}

describe('the suite catches seeded faults in the Ethereum adapter', () => {
  for (const target of [...new Set((Object.values(FAULTS) as Known[]).map(targetOf))]) {
    it(`passes the unmodified adapter on the same cases on ${target} (the control)`, async (ctx) => {
      const missing = await prerequisites();
      if (missing) {
        console.warn(`skipped: ${missing}`);
        return ctx.skip(missing);
      }
      const { status, report, output } = runSuite(adapterDir, target, casesOn(target));
      expect(
        report.cases.filter((c) => c.outcome === 'failed'),
        output,
      ).toEqual([]);
      expect(report.cases.filter((c) => c.outcome === 'passed')).toHaveLength(casesOn(target).length);
      expect(status).toBe(0);
    });
  }

  for (const [fault, known] of Object.entries(FAULTS) as Array<[Fault, Known]>) {
    const { catches } = known;
    it(`fails the "${fault}" variant on ${catches.join(', ')} (${targetOf(known)})`, async (ctx) => {
      const missing = await prerequisites();
      if (missing) {
        console.warn(`skipped: ${missing}`);
        return ctx.skip(missing);
      }
      const dir = writeFaultyEthereumPlugin(fault, adapterDir, mkdtempSync(join(tmpdir(), `bsn-fault-${fault}-`)));
      const { status, report, output } = runSuite(dir, targetOf(known), ['DSC-001', ...catches]);
      expect(status, 'exit code 3: verdict fail').toBe(3);
      const failed = report.cases.filter((c) => c.outcome === 'failed').map((c) => c.id);
      for (const id of catches) expect(failed, `${fault} must fail ${id}\n${output}`).toContain(id);
      expect(failed, 'describe is untouched by the fault').not.toContain('DSC-001');
    });
  }
});
