import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAULTS, writeFaultyEthereumPlugin, type Fault } from './ethereum-variants.js';
import { PART_FAULTS, writePartFaultPlugin, type PartFault } from './part-faults.js';
import { failedIds, runSuite, suiteCli } from './run-suite.js';
import { repoRoot } from '@bsn/devnets';
import { AnvilDevnet } from '@bsn/adapter-ethereum/devnets';

const root = repoRoot();
const adapterDir = join(root, 'adapters', 'ethereum');
type Known = { catches: readonly string[]; target?: string };
const targetOf = (f: Known) => f.target ?? 'anvil';
/** Per target, the cases some fault is caught on (plus DSC-001, which no fault touches). */
function casesOn(target: string): string[] {
  const ids = (Object.values(FAULTS) as Known[]).filter((f) => targetOf(f) === target).flatMap((f) => f.catches);
  if (target === 'anvil') ids.push(...Object.values(PART_FAULTS).flatMap((f) => f.catches));
  return ['DSC-001', ...new Set(ids)];
}

async function prerequisites(): Promise<string | undefined> {
  if (!existsSync(suiteCli) || !existsSync(join(adapterDir, 'dist', 'index.js')))
    return 'the build is missing (run npm test, which builds first)';
  const anvil = await new AnvilDevnet().available();
  return anvil.ok ? undefined : anvil.reason;
}

// Side by side: each run is a CLI process with its own anvil, mostly waiting for blocks (the
// anvil-final ones) or for the CLI to start; one after another the file took 200 s.
describe.concurrent('the suite catches seeded faults in the Ethereum adapter', { timeout: 180_000 }, () => {
  for (const target of [...new Set((Object.values(FAULTS) as Known[]).map(targetOf))]) {
    it(`passes the unmodified adapter on the same cases on ${target} (the control)`, async (ctx) => {
      const missing = await prerequisites();
      if (missing) {
        console.warn(`skipped: ${missing}`);
        return ctx.skip(missing);
      }
      const { status, report, output } = await runSuite(adapterDir, target, casesOn(target));
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
      const { status, report, output } = await runSuite(dir, targetOf(known), ['DSC-001', ...catches]);
      expect(status, 'exit code 3: verdict fail').toBe(3);
      const failed = report.cases.filter((c) => c.outcome === 'failed').map((c) => c.id);
      for (const id of catches) expect(failed, `${fault} must fail ${id}\n${output}`).toContain(id);
      expect(failed, 'describe is untouched by the fault').not.toContain('DSC-001');
    });
  }

  // One fault per part of the contract, the same wrappers the Fabric adapter is held to.
  for (const [fault, { part, catches }] of Object.entries(PART_FAULTS) as Array<[PartFault, (typeof PART_FAULTS)[PartFault]]>) {
    it(`fails the "${fault}" variant (${part}) on ${catches.join(', ')} (anvil)`, async (ctx) => {
      const missing = await prerequisites();
      if (missing) {
        console.warn(`skipped: ${missing}`);
        return ctx.skip(missing);
      }
      const dir = writePartFaultPlugin(fault, adapterDir, mkdtempSync(join(tmpdir(), `bsn-fault-${fault}-`)));
      const run = await runSuite(dir, 'anvil', ['DSC-001', ...catches]);
      expect(run.status, 'exit code 3: verdict fail').toBe(3);
      for (const id of catches) expect(failedIds(run), `${fault} must fail ${id}\n${run.output}`).toContain(id);
      expect(failedIds(run), 'describe is untouched by the fault').not.toContain('DSC-001');
    });
  }
});
