import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@bsn/devnets';
import { FISCO_FAULTS, writeFaultyFiscoPlugin, type FiscoFault } from './seeded-faults.js';

const root = repoRoot();
const cli = join(root, 'conformance', 'suite', 'dist', 'cli.js');
const adapterDir = join(root, 'adapters', 'fisco-bcos');
const targets = [...new Set(Object.values(FISCO_FAULTS).map((f) => f.target))];
/** Per target, the cases some fault is caught on, plus DSC-001, which no fault touches. */
function casesOn(target: string): string[] {
  const ids = Object.values(FISCO_FAULTS)
    .filter((f) => f.target === target)
    .flatMap((f) => f.catches);
  return ['DSC-001', ...new Set(ids)];
}

function runSuite(adapter: string, target: string) {
  const out = mkdtempSync(join(tmpdir(), 'bsn-fisco-fault-report-'));
  try {
    const r = spawnSync(
      process.execPath,
      [cli, 'run', '--adapter', adapter, '--target', target, '--out', out, '--only', casesOn(target).join(',')],
      {
        encoding: 'utf8',
        timeout: 300_000,
      },
    );
    const reportPath = join(out, 'conformance-report.json');
    if (!existsSync(reportPath)) throw new Error(`no report (exit ${r.status}):\n${r.stderr}`);
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as { cases: Array<{ id: string; outcome: string }> };
    return { status: r.status, report, output: r.stderr };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const missing = () =>
  !existsSync(cli) || !existsSync(join(adapterDir, 'dist', 'index.js'))
    ? 'the build is missing (run npm test, which builds first)'
    : undefined;

describe('the suite catches seeded faults in the FISCO BCOS adapter, on the emulator', () => {
  for (const target of targets) {
    it(`passes the unmodified adapter on the same cases on ${target} (the control)`, { timeout: 360_000 }, (ctx) => {
      const why = missing();
      if (why) return ctx.skip(why);
      const { status, report, output } = runSuite(adapterDir, target);
      expect(
        report.cases.filter((c) => c.outcome !== 'passed'),
        output,
      ).toEqual([]);
      expect(report.cases.map((c) => c.id).sort()).toEqual(casesOn(target).sort());
      expect(status).toBe(0);
    });
  }

  for (const [fault, { catches, target }] of Object.entries(FISCO_FAULTS) as Array<[FiscoFault, (typeof FISCO_FAULTS)[FiscoFault]]>) {
    it(`fails the "${fault}" variant on ${catches.join(', ')} (${target})`, { timeout: 360_000 }, (ctx) => {
      const why = missing();
      if (why) return ctx.skip(why);
      const dir = writeFaultyFiscoPlugin(fault, adapterDir, mkdtempSync(join(tmpdir(), `bsn-fisco-fault-${fault}-`)));
      try {
        const { status, report, output } = runSuite(dir, target);
        expect(status, 'exit code 3: verdict fail').toBe(3);
        const failed = report.cases.filter((c) => c.outcome === 'failed').map((c) => c.id);
        for (const id of catches) expect(failed, `${fault} must fail ${id}\n${output}`).toContain(id);
        expect(failed, 'describe is untouched by the fault').not.toContain('DSC-001');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
