/**
 * The custom-contract cases catch seeded faults in the lifecycle of apps that bring their own
 * contract, on anvil: the unmodified Ethereum adapter passes them (the control), each variant
 * fails the case named for it. (faults.test.ts runs the Ethereum-only one, an upgrade onto fresh
 * storage compiled into BsnCustomApps.)
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@bsn/devnets';
import { AnvilDevnet } from '@bsn/adapter-ethereum/devnets';
import { CUSTOM_CONTRACT_FAULTS, writeCustomContractFaultPlugin, type CustomContractFault } from './custom-contract-faults.js';
import { failedIds, runSuite, suiteCli } from './run-suite.js';

const adapterDir = join(repoRoot(), 'adapters', 'ethereum');
const cases = ['DSC-001', ...new Set(Object.values(CUSTOM_CONTRACT_FAULTS).flatMap((f) => f.catches))];

async function prerequisites(): Promise<string | undefined> {
  if (!existsSync(suiteCli) || !existsSync(join(adapterDir, 'dist', 'index.js')))
    return 'the build is missing (run npm test, which builds first)';
  const anvil = await new AnvilDevnet().available();
  return anvil.ok ? undefined : anvil.reason;
}

describe('the custom-contract cases catch seeded lifecycle faults (Ethereum, anvil)', () => {
  it('passes the unmodified adapter on the same cases (the control)', { timeout: 300_000 }, async (ctx) => {
    const missing = await prerequisites();
    if (missing) {
      console.warn(`skipped: ${missing}`);
      return ctx.skip(missing);
    }
    const run = await runSuite(adapterDir, 'anvil', cases);
    expect(failedIds(run), run.output).toEqual([]);
    expect(run.report.cases.filter((c) => c.outcome === 'passed')).toHaveLength(cases.length);
  });

  for (const [fault, { catches }] of Object.entries(CUSTOM_CONTRACT_FAULTS) as Array<
    [CustomContractFault, (typeof CUSTOM_CONTRACT_FAULTS)[CustomContractFault]]
  >) {
    it(`fails the "${fault}" variant on ${catches.join(', ')}`, { timeout: 300_000 }, async (ctx) => {
      const missing = await prerequisites();
      if (missing) {
        console.warn(`skipped: ${missing}`);
        return ctx.skip(missing);
      }
      const dir = writeCustomContractFaultPlugin(fault, adapterDir, mkdtempSync(join(tmpdir(), `bsn-fault-${fault}-`)));
      const run = await runSuite(dir, 'anvil', ['DSC-001', ...catches]);
      expect(run.status, 'exit code 3: verdict fail').toBe(3);
      for (const id of catches) expect(failedIds(run), `${fault} must fail ${id}\n${run.output}`).toContain(id);
      expect(failedIds(run), 'describe is untouched by the fault').not.toContain('DSC-001');
    });
  }
});
