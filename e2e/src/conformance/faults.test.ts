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
// Enough cases to see each fault, few enough to keep the run short.
const CASES = ['DSC-001', 'GW-001', 'GW-003', 'GW-005', 'EV-001', 'EV-002'];

function runSuite(adapter: string): {
  status: number | null;
  report: { cases: Array<{ id: string; outcome: string; failure?: { message: string } }> };
  output: string;
} {
  const out = mkdtempSync(join(tmpdir(), 'bsn-fault-report-'));
  const r = spawnSync(process.execPath, [cli, 'run', '--adapter', adapter, '--target', 'anvil', '--out', out, '--only', CASES.join(',')], {
    encoding: 'utf8',
    timeout: 180_000,
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
  it('passes the unmodified adapter on the same cases (the control)', async (ctx) => {
    const missing = await prerequisites();
    if (missing) {
      console.warn(`skipped: ${missing}`);
      return ctx.skip(missing);
    }
    const { status, report, output } = runSuite(adapterDir);
    expect(
      report.cases.filter((c) => c.outcome === 'failed'),
      output,
    ).toEqual([]);
    expect(status).toBe(0);
  });

  for (const [fault, { catches }] of Object.entries(FAULTS) as Array<[Fault, { catches: readonly string[] }]>) {
    it(`fails the "${fault}" variant on ${catches.join(', ')}`, async (ctx) => {
      const missing = await prerequisites();
      if (missing) {
        console.warn(`skipped: ${missing}`);
        return ctx.skip(missing);
      }
      const dir = writeFaultyEthereumPlugin(fault, adapterDir, mkdtempSync(join(tmpdir(), `bsn-fault-${fault}-`)));
      const { status, report, output } = runSuite(dir);
      expect(status, 'exit code 3: verdict fail').toBe(3);
      const failed = report.cases.filter((c) => c.outcome === 'failed').map((c) => c.id);
      for (const id of catches) expect(failed, `${fault} must fail ${id}\n${output}`).toContain(id);
      expect(failed, 'describe is untouched by the fault').not.toContain('DSC-001');
    });
  }
});
