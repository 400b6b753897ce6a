/**
 * A fleet behind HAProxy (see e2e/src/__fixtures__/fleet.ts): read and write throughput
 * through the balancer with 1, 2 and 3 node instances on one PostgreSQL registry and one anvil,
 * as ratios against one instance in the same run. Every process — instances, their plugin
 * processes, anvil, PostgreSQL, HAProxy and this load generator — shares the machine, so the
 * figures say where the machine, not the node, is the limit.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BsnClient } from '@bsn/client';
import { newKey, startPostgres } from '@bsn/city-node/testing';
import { certifiedPluginCopies, startAnvil } from '../e2e/src/__fixtures__/ethereum-e2e.js';
import { Fleet, haproxySkipReason } from '../e2e/src/__fixtures__/fleet.js';
import { emit } from './report.js';

const BENCH = 'fleet';
const SECONDS = 6;
const IN_FLIGHT = 16;

const why = haproxySkipReason();
const pg = why ? undefined : await startPostgres();
if (why || !pg) {
  process.stderr.write(`fleet bench skipped: ${why ?? 'no PostgreSQL'}\n`);
  process.exit(0);
}

/** Operations per second over SECONDS with IN_FLIGHT loops of `op`. */
async function rate(op: (loop: number, i: number) => Promise<unknown>): Promise<number> {
  const until = Date.now() + SECONDS * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async (_, loop) => {
      for (let i = 0; Date.now() < until; i++) {
        await op(loop, i);
        done++;
      }
    }),
  );
  return done / SECONDS;
}

const anvil = await startAnvil();
const plugins = await certifiedPluginCopies();
// One user per loop: writes of one chain account serialize on its nonce, whichever instance signs them.
const keys = Array.from({ length: IN_FLIGHT }, () => newKey('secp256k1'));
const results = new Map<number, { reads: number; writes: number }>();
try {
  for (const instances of [1, 2, 3]) {
    const dir = join(plugins.dir, `fleet-${instances}`);
    const fleet = await Fleet.start({
      dir,
      instances,
      passphrase: 'bench',
      config: {
        registry: { kind: 'postgres', url: await pg.newDatabase() },
        keys: { scryptN: 1024, nodeKey: join(dir, 'node-key.json') },
        trust: { certifiers: [plugins.trustFile] },
        plugins: [
          {
            source: plugins.good,
            certificate: plugins.goodCert,
            networks: [
              {
                name: 'anvil',
                endpoint: { rpcUrl: anvil.network.rpcUrl, chainId: anvil.network.chainId, confirmations: 0, faucet: anvil.network.faucet },
              },
            ],
          },
        ],
        portals: [
          {
            code: 'bench',
            users: keys.map((k, i) => ({
              code: `u${i}`,
              algorithm: 'secp256k1',
              publicKey: k.publicKey,
              role: i === 0 ? 'admin' : 'member',
            })),
          },
        ],
      },
    });
    try {
      const clients = keys.map(
        (k, i) => new BsnClient({ baseUrl: fleet.balancerUrl, user: `u${i}`, algorithm: 'secp256k1', privateKey: k.privateKey }),
      );
      const app = `bench-${instances}`;
      await clients[0]!.createApp({ code: app, members: keys.slice(1).map((_, i) => `u${i + 1}`) });
      await clients[0]!.put(app, 'k', 'v');
      const reads = await rate((loop) => clients[loop]!.get(app, 'k'));
      const writes = await rate((loop, i) => clients[loop]!.put(app, `k${loop}-${i}`, 'v'));
      results.set(instances, { reads, writes });
      const base = results.get(1)!;
      const vs = (x: number, b: number) => (instances === 1 ? {} : { ratio: x / b, baseline: `1 instance ${b.toFixed(0)}/s` });
      emit({
        bench: BENCH,
        metric: `reads through HAProxy, ${instances} instance(s), ${IN_FLIGHT} in flight`,
        value: reads,
        unit: 'req/s',
        ...vs(reads, base.reads),
      });
      emit({
        bench: BENCH,
        metric: `writes through HAProxy, ${instances} instance(s), ${IN_FLIGHT} in flight`,
        value: writes,
        unit: 'tx/s',
        ...vs(writes, base.writes),
      });
    } finally {
      await fleet.stop();
    }
  }
} finally {
  await anvil.stop();
  await pg.stop();
  await rm(plugins.dir, { recursive: true, force: true });
}
