/**
 * A city node process killed (SIGKILL) in the middle of a write load and started again
 * loses no acknowledged write, answers retries of unacknowledged ones idempotently, and an
 * event consumer resumes from its checkpoint with no gaps or duplicates.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BsnClient, type EventMessage } from '@bsn/client';
import { FIXTURE_SUITES, ROOT, certifiedPluginCopies, e2eSkipReason, startAnvil, type StartedAnvil } from '../__fixtures__/ethereum-e2e.js';
import { newKey } from '@bsn/city-node/testing';

const skip = await e2eSkipReason();
if (skip) console.warn(`restart end-to-end test skipped: ${skip}`);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe.skipIf(skip !== undefined)('kill -9 mid-load and restart', () => {
  let anvil: StartedAnvil;
  let plugins: Awaited<ReturnType<typeof certifiedPluginCopies>>;
  let child: ChildProcess | undefined;
  let configFile: string;
  let restPort: number;
  const key = newKey('secp256r1');
  let client: BsnClient;
  let output = '';

  const startNode = async () => {
    child = spawn(process.execPath, [join(ROOT, 'core/cli/dist/main.js'), 'node', 'start', '--config', configFile], {
      cwd: plugins.dir,
      env: { ...process.env, BSN_NODE_PASSPHRASE: 'restart-test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        if ((await fetch(`http://127.0.0.1:${restPort}/readyz`)).status === 200) return;
      } catch {
        // not up yet
      }
      if (child.exitCode !== null) throw new Error(`the node exited (${child.exitCode}):\n${output}`);
      if (Date.now() > deadline) throw new Error(`the node did not become ready:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  beforeAll(async () => {
    anvil = await startAnvil();
    plugins = await certifiedPluginCopies();
    restPort = await freePort();
    const endpoint = {
      rpcUrl: anvil.network.rpcUrl,
      chainId: anvil.network.chainId,
      confirmations: 0,
      faucet: anvil.network.faucet,
      pollingIntervalMs: 50,
    };
    configFile = join(plugins.dir, 'node.yaml');
    await writeFile(
      configFile,
      JSON.stringify({
        node: { name: 'restart', dataDir: 'node' },
        listen: { restPort, grpc: false },
        keys: { scryptN: 1024 },
        trust: { certifiers: [plugins.trustFile], suites: FIXTURE_SUITES },
        plugins: [{ source: plugins.good, certificate: plugins.goodCert, networks: [{ name: 'anvil', endpoint }] }],
        portals: [{ code: 'p', users: [{ code: 'writer', algorithm: 'secp256r1', publicKey: key.publicKey, role: 'admin' }] }],
      }),
    );
    await startNode();
    client = new BsnClient({ baseUrl: `http://127.0.0.1:${restPort}`, user: 'writer', algorithm: 'secp256r1', privateKey: key.privateKey });
    await client.createApp({ code: 'load' });
  }, 240_000);

  afterAll(async () => {
    child?.kill('SIGKILL');
    await anvil?.stop();
    if (plugins) await rm(plugins.dir, { recursive: true, force: true });
  });

  test('no acknowledged write is lost; retries are idempotent; events resume without gaps', async () => {
    const nodeKey = (await client.node()).key;
    // An event consumer that stops at the kill, keeping its last checkpoint.
    const seen: EventMessage[] = [];
    const consumer = (async () => {
      try {
        for await (const e of client.events('load')) seen.push(e);
      } catch {
        // the node died under it
      }
    })();

    const acked = new Map<string, { requestId: string; txId: string }>();
    const attempted = new Map<string, string>();
    let killed = false;
    const writer = async (w: number) => {
      for (let i = 0; !killed; i++) {
        const k = `w${w}/k${i}`;
        const requestId = `req-${w}-${i}`;
        attempted.set(k, requestId);
        try {
          const r = await client.put('load', k, `value ${w}/${i}`, requestId);
          if (!killed) acked.set(k, { requestId, txId: r.txId });
        } catch {
          return;
        }
      }
    };
    const writers = [0, 1, 2].map(writer);
    const loadDeadline = Date.now() + 60_000;
    while (acked.size < 12 && Date.now() < loadDeadline) await new Promise((r) => setTimeout(r, 50));
    killed = true;
    child!.kill('SIGKILL');
    await Promise.all(writers);
    await consumer;
    expect(acked.size).toBeGreaterThanOrEqual(12);

    await startNode();
    const after = new BsnClient({
      baseUrl: `http://127.0.0.1:${restPort}`,
      user: 'writer',
      algorithm: 'secp256r1',
      privateKey: key.privateKey,
      nodeKey,
    });
    // Every acknowledged write is there, with its transaction, and counted in the app's usage.
    for (const [k, { txId }] of acked) {
      const entry = await after.get('load', k);
      expect(entry?.txId, k).toBe(txId);
    }
    const counted = ((await after.usage('load')) as { txs: number }).txs;
    expect(counted, 'usage after kill -9 counts every acknowledged write').toBeGreaterThanOrEqual(acked.size);
    // Unacknowledged writes retried with their request ids: exactly one write each.
    for (const [k, requestId] of attempted) {
      if (acked.has(k)) continue;
      await after.put('load', k, `value ${k.slice(1).replace('/k', '/')}`, requestId);
      expect((await after.history('load', k)).entries, k).toHaveLength(1);
    }
    // And now every write is counted exactly once: one transaction per key on the chain.
    expect(((await after.usage('load')) as { txs: number }).txs).toBe(attempted.size);
    // The consumer resumes after its last checkpoint and misses nothing.
    const total = attempted.size;
    const resumed: EventMessage[] = [];
    const last = seen.at(-1)?.id;
    for await (const e of after.events('load', { ...(last && { after: last }), limit: total - seen.length })) resumed.push(e);
    const all = [...seen, ...resumed];
    expect(all.map((e) => e.payloadText).sort()).toEqual([...attempted.keys()].sort());
    const ids = all.map((e) => e.checkpoint.block * 1e6 + e.checkpoint.index);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    for (const { txId } of acked.values()) expect(all.some((e) => e.txId === txId)).toBe(true);
  }, 180_000);
});
