/**
 * The suite's interchain cases (IC-001…IC-011) on Fabric with every app on a dedicated channel
 * (#15): `bsn conformance run` on the adapter seen through writeFabricDedicatedPlugin, on a real
 * devnet given as a network file. Then each app the run created is checked on the chain, apart
 * from the run: its channel is the dedicated one, Org2's peer has joined it, and its delivery
 * configuration is there.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedDevnet } from '@bsn/contract';
import { testContext } from '@bsn/contract/testing';
import { repoRoot } from '@bsn/devnets';
import fabric, { type FabricAdapter } from '@bsn/adapter-fabric';
import { presetDevnet } from '@bsn/adapter-fabric/devnets';
import { writeFabricDedicatedPlugin } from './fabric-dedicated-variant.js';
import { failedIds, runSuite, suiteCli } from './run-suite.js';

const adapterDir = join(repoRoot(), 'adapters', 'fabric');
const CASES = Array.from({ length: 11 }, (_, i) => `IC-${String(i + 1).padStart(3, '0')}`);
let skipReason: string | undefined;
let devnet: StartedDevnet | undefined;
let target: string;

beforeAll(async () => {
  if (!existsSync(suiteCli) || !existsSync(join(adapterDir, 'dist', 'index.js'))) {
    skipReason = 'the build is missing (run npm test, which builds first)';
  } else {
    const availability = await presetDevnet().available();
    if (!availability.ok) skipReason = availability.reason;
  }
  if (skipReason) {
    console.warn(`the interchain cases on Fabric dedicated channels are skipped: ${skipReason}`);
    return;
  }
  devnet = await presetDevnet().start();
  target = join(mkdtempSync(join(tmpdir(), 'bsn-fabric-dedicated-')), 'network.json');
  writeFileSync(target, JSON.stringify({ target: { kind: devnet.kind, node: devnet.node }, network: devnet.network }));
}, 300_000);

afterAll(async () => {
  await devnet?.stop();
});

describe('the interchain cases on Fabric apps with dedicated channels', () => {
  it('passes IC-001…IC-011, every app created on a channel of its own, configured there', { timeout: 600_000 }, async (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    const dir = writeFabricDedicatedPlugin(adapterDir, mkdtempSync(join(tmpdir(), 'bsn-fabric-dedicated-plugin-')));
    const log = join(dir, 'apps.jsonl');
    process.env.BSN_DEDICATED_LOG = log;
    const started = performance.now();
    const run = await runSuite(dir, target, CASES).finally(() => delete process.env.BSN_DEDICATED_LOG);
    console.info(`IC-001…IC-011 on dedicated channels took ${Math.round((performance.now() - started) / 1000)} s`);
    expect(failedIds(run), run.output).toEqual([]);
    expect(
      run.report.cases.filter((c) => c.outcome === 'passed').map((c) => c.id),
      run.output,
    ).toEqual(CASES);

    const apps = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { appId: string; channel: string });
    expect(apps.length).toBeGreaterThanOrEqual(2 * 8);
    // Read back through Org2's own adapter instance, which has met none of them.
    const org2 = (await fabric.connect({ ...devnet!.network, organization: 'Org2MSP' } as never, testContext())) as FabricAdapter;
    let configured = 0;
    try {
      for (const { appId, channel } of apps) {
        const info = await org2.lifecycle.get({ appId });
        expect(info.placement, appId).toBe('dedicated');
        expect(info.location.channel, appId).toBe(channel);
        expect(channel).not.toBe(devnet!.network.channel);
        // The app's creating transaction, found on its own channel by Org2's peer.
        expect((await org2.gateway.block('latest', { appId })).number, appId).toBeGreaterThan(0);
        // Its channel's own delivery configuration, as Org2's peer answers (the first cases pin none).
        const bytes = await org2.router.on(channel).chaincode.evaluate('BsnInterchain:deliveryConfig', [], `${appId}'s delivery config`);
        const config = JSON.parse(Buffer.from(bytes).toString('utf8')) as { chain: string; threshold: number } | null;
        if (config) expect(config, appId).toMatchObject({ chain: devnet!.network.name, threshold: 2 });
        if (config) configured++;
      }
    } finally {
      await org2.close();
    }
    expect(configured, 'apps of the delivery cases (IC-004…IC-011, two each) configured on their own channels').toBeGreaterThanOrEqual(16);
  });
});
