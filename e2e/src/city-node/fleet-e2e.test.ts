/**
 * Three city node instances (processes) on one PostgreSQL registry and one anvil, behind
 * HAProxy checking /readyz: restarted one by one while signed writes, reads and event streams
 * run through the balancer. Clients retry with the same request id, as the protocol says; none
 * fails, no acknowledged write is lost or doubled on chain, every stream resumes without a gap,
 * every instance exits within its deadline.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BsnClient, type EventMessage } from '@bsn/client';
import { newKey, skipReason as pgSkipReason, startPostgres, type PostgresServer } from '@bsn/city-node/testing';
import { FIXTURE_SUITES, certifiedPluginCopies, e2eSkipReason, startAnvil, type StartedAnvil } from '../__fixtures__/ethereum-e2e.js';
import { Fleet, haproxySkipReason } from '../__fixtures__/fleet.js';

const DEADLINE_MS = 8000;
const e2eSkip = (await e2eSkipReason()) ?? haproxySkipReason();
const server: PostgresServer | undefined = e2eSkip ? undefined : await startPostgres();
const skip = e2eSkip ?? (server ? undefined : pgSkipReason);
if (skip) console.warn(`fleet test skipped: ${skip}`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retries with the same request id (the protocol's answer to a lost or refused-for-now request). */
async function withRetries<T>(work: () => Promise<T>, tries = 40): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (attempt >= tries) throw err;
      await sleep(100);
    }
  }
}

describe.skipIf(skip !== undefined)('a fleet behind a load balancer, restarted one by one under load', () => {
  let anvil: StartedAnvil;
  let plugins: Awaited<ReturnType<typeof certifiedPluginCopies>>;
  let fleet: Fleet;
  const key = newKey('secp256k1');
  const client = () => new BsnClient({ baseUrl: fleet.balancerUrl, user: 'ops', algorithm: 'secp256k1', privateKey: key.privateKey });

  beforeAll(async () => {
    anvil = await startAnvil();
    plugins = await certifiedPluginCopies();
    const url = await server!.newDatabase();
    fleet = await Fleet.start({
      dir: plugins.dir,
      instances: 3,
      passphrase: 'fleet',
      config: {
        registry: { kind: 'postgres', url },
        keys: { scryptN: 1024, nodeKey: join(plugins.dir, 'node-key.json') },
        trust: { certifiers: [plugins.trustFile], suites: FIXTURE_SUITES },
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
        portals: [{ code: 'fleet', users: [{ code: 'ops', algorithm: 'secp256k1', publicKey: key.publicKey, role: 'admin' }] }],
        shutdown: { drainDelayMs: 600, deadlineMs: DEADLINE_MS },
      },
    });
  }, 300_000);

  afterAll(async () => {
    await fleet?.stop();
    await anvil?.stop();
    await server?.stop();
    if (plugins) await rm(plugins.dir, { recursive: true, force: true });
  });

  test('no failed request, no lost or doubled write, no gap in any stream, every exit within its deadline', async () => {
    const ops = client();
    await ops.createApp({ code: 'fleet-kv' });
    await ops.put('fleet-kv', 'warm', 'up');
    const rpc = async (method: string, params: unknown[]) =>
      (
        (await (
          await fetch(anvil.network.rpcUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
          })
        ).json()) as { result: unknown }
      ).result;
    const firstBlock = Number(await rpc('eth_blockNumber', [])) + 1;
    const warmEvents: EventMessage[] = [];
    for await (const e of ops.events('fleet-kv', { limit: 1 })) warmEvents.push(e);

    let running = true;
    const acked = new Map<string, { key: string; value: string; txId: string }>();
    const failed: string[] = [];
    const writer = async (w: number) => {
      const c = client();
      for (let i = 0; running; i++) {
        const requestId = `w${w}-${i}`;
        const k = `w${w}/k${i}`;
        const value = `value ${w}/${i}`;
        try {
          const r = await withRetries(() => c.put('fleet-kv', k, value, requestId));
          acked.set(requestId, { key: k, value, txId: r.txId });
        } catch (err) {
          failed.push(`${requestId}: ${(err as Error).message}`);
        }
      }
    };
    let reads = 0;
    const reader = async () => {
      const c = client();
      while (running) {
        try {
          await withRetries(() => c.get('fleet-kv', 'warm'));
          reads++;
        } catch (err) {
          failed.push(`read: ${(err as Error).message}`);
        }
      }
    };
    const streamStop = new AbortController();
    const consumed: Array<{ seen: string[] }> = [];
    const consumer = async () => {
      const c = client();
      const seen: string[] = [];
      consumed.push({ seen });
      let after = warmEvents[0]!.id;
      let resumes = 0;
      while (!streamStop.signal.aborted) {
        try {
          for await (const e of c.events('fleet-kv', { after, signal: streamStop.signal })) {
            seen.push(e.id);
            after = e.id;
          }
        } catch {
          if (streamStop.signal.aborted) break;
          resumes++;
          await sleep(100);
        }
      }
      return { seen, resumes };
    };

    const load = [writer(1), writer(2), writer(3), reader()];
    const consumers = [consumer(), consumer()];
    await sleep(2000);
    const exits: Array<{ name: string; code: number | null; ms: number }> = [];
    for (const instance of fleet.instances) {
      const exit = await fleet.stopInstance(instance);
      exits.push({ name: instance.name, ...exit });
      await fleet.startInstance(instance);
      await sleep(1000); // the balancer's checks see it up again
    }
    await sleep(2000);
    running = false;
    await Promise.all(load);

    // Every instance left cleanly within its deadline.
    for (const e of exits) {
      expect(e.code, `${e.name} exit code`).toBe(0);
      expect(e.ms, `${e.name} exit time`).toBeLessThan(DEADLINE_MS);
    }
    // Clients retrying with the same request id saw no failure.
    expect(failed).toEqual([]);
    expect(acked.size).toBeGreaterThan(30);
    expect(reads).toBeGreaterThan(30);

    // On chain: one transaction per acknowledged request id, none twice, and every value there.
    const lastBlock = Number(await rpc('eth_blockNumber', []));
    let transactions = 0;
    for (let n = firstBlock; n <= lastBlock; n++) {
      transactions += ((await rpc('eth_getBlockByNumber', [`0x${n.toString(16)}`, false])) as { transactions: unknown[] }).transactions
        .length;
    }
    expect(transactions).toBe(acked.size);
    expect(new Set([...acked.values()].map((a) => a.txId)).size).toBe(acked.size);
    for (const a of [...acked.values()].filter((_, i) => i % 5 === 0)) expect((await ops.get('fleet-kv', a.key))?.text).toBe(a.value);

    // Every stream resumed across the restarts with every event once, in order.
    const all: string[] = [];
    for await (const e of ops.events('fleet-kv', { after: warmEvents[0]!.id, limit: acked.size })) all.push(e.id);
    expect(all).toHaveLength(acked.size);
    await expect.poll(() => Math.min(...consumed.map((c) => c.seen.length)), { timeout: 20_000 }).toBeGreaterThanOrEqual(all.length);
    streamStop.abort();
    const results = await Promise.all(consumers);
    console.info(
      `fleet: ${acked.size} writes and ${reads} reads through HAProxy, 3 rolling restarts (exits ${exits.map((e) => `${e.ms} ms`).join(', ')}), streams resumed ${results.map((r) => r.resumes).join(' and ')} times`,
    );
    for (const { seen, resumes } of results) {
      expect(seen).toEqual(all);
      expect(resumes).toBeGreaterThan(0);
    }
  }, 300_000);
});
