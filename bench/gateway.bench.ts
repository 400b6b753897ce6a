/**
 * City node gateway benchmarks (run through `npm run bench`), on one anvil, same run:
 *  - write (kv.put, final on chain) and read (kv.get) latency p50/p99 and throughput through
 *    the REST gateway (signed request, auth, registry, signed response) against the same
 *    Ethereum adapter instance called in-process, in alternating rounds (median ratio and
 *    range). Throughput is measured with requests in flight (one at a time it is only the
 *    inverse of latency, whose goal is the added p50);
 *  - memory per idle app: heap growth of the node with 1,000 apps registered and each touched
 *    once through the gateway.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { privateKeySigner } from '../core/src/crypto/signer.js';
import { generatePrivateKey, publicKeyOf } from '../core/src/crypto/algorithms.js';
import { toHex } from '../core/src/encoding/bytes.js';
import { BsnClient } from '../core/src/client/rest-client.js';
import { CityNode } from '../core/src/node/city-node.js';
import { resolveNodeConfig } from '../core/src/node/config.js';
import type { Adapter } from '../core/src/contract/adapter.js';
import { AnvilDevnet } from '../conformance/src/devnets/anvil.js';
import factory from '../adapters/ethereum/src/index.js';

const BENCH = 'gateway';
const emit = (r: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(r)}\n`);
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const silent = { debug() {}, info() {}, warn() {}, error() {} };
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function timed(n: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<{ lat: number[]; rate: number }> {
  const lat: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let i = next++; i < n; i = next++) {
      const t = performance.now();
      await op(i);
      lat.push(performance.now() - t);
    }
  }));
  return { lat, rate: (n / (performance.now() - start)) * 1000 };
}

const devnet = await new AnvilDevnet().start();
const dataDir = await mkdtemp(join(tmpdir(), 'bsn-bench-node-'));
let node: CityNode | undefined;
let adapter: Adapter | undefined;
try {
  adapter = await factory.connect({ ...devnet.network, confirmations: 0, pollingIntervalMs: 20 }, { logger: silent, dataDir });
  const description = adapter.describe();
  const userKey = generatePrivateKey('secp256r1');
  const config = resolveNodeConfig({
    node: { name: 'bench', dataDir },
    listen: { restPort: 0, grpc: false },
    keys: { scryptN: 1024 },
    portals: [{ code: 'bench', users: [{ code: 'u', algorithm: 'secp256r1', publicKey: toHex(publicKeyOf('secp256r1', userKey)), role: 'admin' }] }],
  }, dataDir);
  node = await CityNode.start({
    config, passphrase: 'bench', logger: silent,
    networks: [{ name: 'anvil', framework: 'ethereum', plugin: '@bsn/adapter-ethereum', certified: true, adapter, description, accountAlgorithm: 'secp256k1', origin: { kind: 'endpoint' } }],
  });
  const client = new BsnClient({ baseUrl: node.restUrl, user: 'u', algorithm: 'secp256r1', privateKey: userKey });
  await client.createApp({ code: 'bench-gw' });
  // Memory per idle app: 1,000 apps in the registry, each touched once through the gateway.
  const APPS = 1000;
  for (let i = 0; i < 3; i++) gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < APPS; i++) {
    await node.registry.createApp({ code: `idle-${i}`, portal: 'bench', owner: 'u', name: `idle ${i}`, framework: 'ethereum', network: 'anvil', chain: { appId: `idle-${i}`, framework: 'ethereum', location: { contract: '0x' + '00'.repeat(20) } } });
  }
  for (let i = 0; i < APPS; i++) await client.getApp(`idle-${i}`);
  for (let i = 0; i < 3; i++) gc();
  const after = process.memoryUsage().heapUsed;
  emit({ bench: BENCH, metric: `node heap per idle app, ${APPS} apps registered`, value: Math.max(0, after - before) / APPS, unit: 'bytes', goal: '<16384' });
  emit({ bench: BENCH, metric: `node heap with ${APPS + 1} apps`, value: after / 1048576, unit: 'MiB' });
  // The in-process baseline: the same adapter, its own app and a funded signer.
  const signer = privateKeySigner('secp256k1', generatePrivateKey('secp256k1'));
  const account = await adapter.identity.provision(signer);
  await adapter.lifecycle.create({ appId: 'bench-direct', name: 'direct', framework: 'ethereum', mode: 'consortium', placement: 'shared', contract: { kind: 'preset-kv' }, members: [account] }, signer);
  const value = new Uint8Array(256).fill(7);
  const app = { appId: 'bench-direct' };

  // The gateway's load comes from another thread (see gateway-load.worker.mjs): a client's
  // signing and verifying must not run on the node's event loop, or the gateway is charged
  // for its client's CPU while the in-process baseline has no client at all.
  const load = new Worker(new URL('./gateway-load.worker.mjs', import.meta.url), {
    workerData: { baseUrl: node.restUrl, user: 'u', privateKey: toHex(userKey), app: 'bench-gw' },
  });
  const remote = (job: Record<string, unknown>) => new Promise<{ lat: number[]; rate: number }>((resolve, reject) => {
    load.once('message', (r: { lat: number[]; rate: number; error?: string }) => (r.error ? reject(new Error(r.error)) : resolve(r)));
    load.postMessage(job);
  });

  // Rounds alternate in-process and gateway so drift on a shared machine hits both alike;
  // each metric is the median ratio over the rounds, with its range.
  const ROUNDS = 3;
  const median = (xs: number[]) => quantile(xs, 0.5);
  const report = (metric: string, unit: string, gw: number[], direct: number[], extra: Record<string, unknown> = {}) => {
    const ratios = gw.map((g, i) => g / direct[i]!);
    emit({
      bench: BENCH, metric, value: median(gw), unit, ratio: median(ratios),
      range: [Math.min(...ratios), Math.max(...ratios)], baseline: `in-process ${median(direct).toFixed(2)} ${unit}`, ...extra,
    });
  };
  // Throughput is reported per load level and as peak against peak: the best rate each side
  // reaches over the levels (a gateway batches more under load, the in-process adapter may not).
  const peak = (metric: string, unit: string, goal: string, levels: Array<{ g: number[]; d: number[] }>) => {
    const perRound = levels[0]!.g.map((_, r) => Math.max(...levels.map((l) => l.g[r]!)) / Math.max(...levels.map((l) => l.d[r]!)));
    emit({
      bench: BENCH, metric, value: median(levels[0]!.g.map((_, r) => Math.max(...levels.map((l) => l.g[r]!)))), unit,
      ratio: median(perRound), range: [Math.min(...perRound), Math.max(...perRound)],
      baseline: `in-process ${median(levels[0]!.d.map((_, r) => Math.max(...levels.map((l) => l.d[r]!)))).toFixed(1)} ${unit}`, goal,
    });
  };
  const WRITES = 60;
  const writeLevels: Array<{ g: number[]; d: number[] }> = [];
  for (const [label, concurrency, n] of [['sequential', 1, WRITES], ['8 in flight', 8, WRITES], ['32 in flight', 32, 2 * WRITES]] as const) {
    const d: Array<{ lat: number[]; rate: number }> = [];
    const g: Array<{ lat: number[]; rate: number }> = [];
    for (let r = 0; r < ROUNDS; r++) {
      d.push(await timed(n, concurrency, (i) => adapter!.kv.put({ app, key: `d${concurrency}-${r}-${i}`, value, requestId: `d${concurrency}-${r}-${i}` }, signer)));
      g.push(await remote({ op: 'put', n, concurrency, prefix: `g${concurrency}-${r}`, value: Array.from(value) }));
    }
    report(`write p50, ${label}`, 'ms', g.map((x) => quantile(x.lat, 0.5)), d.map((x) => quantile(x.lat, 0.5)));
    report(`write p99, ${label}`, 'ms', g.map((x) => quantile(x.lat, 0.99)), d.map((x) => quantile(x.lat, 0.99)));
    if (concurrency > 1) {
      report(`write throughput, ${label}`, 'tx/s', g.map((x) => x.rate), d.map((x) => x.rate));
      writeLevels.push({ g: g.map((x) => x.rate), d: d.map((x) => x.rate) });
    }
  }
  peak('write throughput, peak vs peak', 'tx/s', 'ratio >= 0.9', writeLevels);
  // Reads: latency one at a time (added p50 is the goal), throughput under load.
  const KEYS = WRITES;
  const readLevels: Array<{ g: number[]; d: number[] }> = [];
  for (const [label, concurrency, n] of [['sequential', 1, 300], ['8 in flight', 8, 1500], ['32 in flight', 32, 1500]] as const) {
    const d: Array<{ lat: number[]; rate: number }> = [];
    const g: Array<{ lat: number[]; rate: number }> = [];
    for (let r = 0; r < ROUNDS; r++) {
      d.push(await timed(n, concurrency, (i) => adapter!.kv.get(app, `d1-0-${i % KEYS}`)));
      g.push(await remote({ op: 'get', n, concurrency, prefix: 'g1-0', keys: KEYS }));
    }
    if (concurrency === 1) {
      const added = g.map((x, i) => quantile(x.lat, 0.5) - quantile(d[i]!.lat, 0.5));
      report(`read p50, ${label}`, 'ms', g.map((x) => quantile(x.lat, 0.5)), d.map((x) => quantile(x.lat, 0.5)), { added: median(added), goal: 'added < 2 ms' });
      report(`read p99, ${label}`, 'ms', g.map((x) => quantile(x.lat, 0.99)), d.map((x) => quantile(x.lat, 0.99)));
    } else {
      report(`read throughput, ${label}`, 'req/s', g.map((x) => x.rate), d.map((x) => x.rate));
      readLevels.push({ g: g.map((x) => x.rate), d: d.map((x) => x.rate) });
    }
  }
  peak('read throughput, peak vs peak', 'req/s', 'ratio >= 0.8', readLevels);
  await load.terminate();

} finally {
  await node?.stop();
  await devnet.stop();
  await rm(dataDir, { recursive: true, force: true });
}
