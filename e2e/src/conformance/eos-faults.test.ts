import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '@bsn/devnets';
import { EOS_FAULTS, writeFaultyEosPlugin, type EosFault } from './eos-variants.js';
import { runSuite, suiteCli } from './run-suite.js';

const root = repoRoot();
const adapterDir = join(root, 'adapters', 'eos');
// Enough cases to see each fault, few enough to keep each run on the real node short.
const CASES = ['DSC-001', 'GW-001', 'GW-003', 'EV-001', 'EV-002'];

/** Why these runs cannot happen here (no build, no Leap node), or undefined. */
async function prerequisites(): Promise<string | undefined> {
  const devnets = join(adapterDir, 'dist', 'devnets', 'index.js');
  if (!existsSync(suiteCli) || !existsSync(devnets)) return 'the build is missing (run npm test, which builds first)';
  const { NodeosDevnet } = (await import(pathToFileURL(devnets).href)) as typeof import('@bsn/adapter-eos/devnets');
  const node = await new NodeosDevnet().available();
  return node.ok ? undefined : node.reason;
}

// Side by side: each run has its own Leap node and mostly waits for irreversibility (one
// after another the file took 112 s).
describe.concurrent('the suite catches seeded faults in the EOS adapter, on a real Leap node', () => {
  it('passes the unmodified adapter on the same cases (the control)', { timeout: 360_000 }, async (ctx) => {
    const missing = await prerequisites();
    if (missing) {
      console.warn(`skipped: ${missing}`);
      return ctx.skip(missing);
    }
    const { status, report, output } = await runSuite(adapterDir, 'eos', CASES);
    expect(
      report.cases.filter((c) => c.outcome === 'failed'),
      output,
    ).toEqual([]);
    expect(status).toBe(0);
  });

  for (const [fault, { catches }] of Object.entries(EOS_FAULTS) as Array<[EosFault, { catches: readonly string[] }]>) {
    it(`fails the "${fault}" variant on ${catches.join(', ')}`, { timeout: 360_000 }, async (ctx) => {
      const missing = await prerequisites();
      if (missing) {
        console.warn(`skipped: ${missing}`);
        return ctx.skip(missing);
      }
      const dir = writeFaultyEosPlugin(fault, adapterDir, mkdtempSync(join(tmpdir(), `bsn-eos-fault-${fault}-`)));
      const { status, report, output } = await runSuite(dir, 'eos', CASES);
      expect(status, 'exit code 3: verdict fail').toBe(3);
      const failed = report.cases.filter((c) => c.outcome === 'failed').map((c) => c.id);
      for (const id of catches) expect(failed, `${fault} must fail ${id}\n${output}`).toContain(id);
      expect(failed, 'describe is untouched by the fault').not.toContain('DSC-001');
    });
  }
});
