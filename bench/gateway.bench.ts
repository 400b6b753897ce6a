/**
 * City node gateway benchmarks (run through `npm run bench`), on one anvil, same run:
 *  - write (kv.put, final on chain) and read (kv.get) latency p50/p99 and throughput through
 *    the REST gateway (signed request, auth, registry, signed response) against the same
 *    Ethereum adapter instance called in-process;
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

  const WRITES = 80;
  const READS = 400;
  for (const [label, concurrency] of [['sequential', 1], ['8 in flight', 8]] as const) {
    const direct = await timed(WRITES, concurrency, (i) => adapter!.kv.put({ app, key: `d${concurrency}-${i}`, value, requestId: `d${concurrency}-${i}` }, signer));
    const gw = await remote({ op: 'put', n: WRITES, concurrency, prefix: `g${concurrency}`, value: Array.from(value) });
    emit({ bench: BENCH, metric: `write p50, ${label}`, value: quantile(gw.lat, 0.5), unit: 'ms', ratio: quantile(gw.lat, 0.5) / quantile(direct.lat, 0.5), baseline: `in-process ${quantile(direct.lat, 0.5).toFixed(1)} ms` });
    emit({ bench: BENCH, metric: `write p99, ${label}`, value: quantile(gw.lat, 0.99), unit: 'ms', ratio: quantile(gw.lat, 0.99) / quantile(direct.lat, 0.99), baseline: `in-process ${quantile(direct.lat, 0.99).toFixed(1)} ms` });
    emit({ bench: BENCH, metric: `write throughput, ${label}`, value: gw.rate, unit: 'tx/s', ratio: gw.rate / direct.rate, baseline: `in-process ${direct.rate.toFixed(1)} tx/s` });
  }
  for (const [label, concurrency] of [['sequential', 1], ['8 in flight', 8]] as const) {
    const direct = await timed(READS, concurrency, (i) => adapter!.kv.get(app, `d1-${i % WRITES}`));
    const gw = await remote({ op: 'get', n: READS, concurrency, prefix: 'g1', keys: WRITES });
    emit({ bench: BENCH, metric: `read p50, ${label}`, value: quantile(gw.lat, 0.5), unit: 'ms', ratio: quantile(gw.lat, 0.5) / quantile(direct.lat, 0.5), baseline: `in-process ${quantile(direct.lat, 0.5).toFixed(2)} ms` });
    emit({ bench: BENCH, metric: `read p99, ${label}`, value: quantile(gw.lat, 0.99), unit: 'ms', ratio: quantile(gw.lat, 0.99) / quantile(direct.lat, 0.99), baseline: `in-process ${quantile(direct.lat, 0.99).toFixed(2)} ms` });
    emit({ bench: BENCH, metric: `read throughput, ${label}`, value: gw.rate, unit: 'req/s', ratio: gw.rate / direct.rate, baseline: `in-process ${direct.rate.toFixed(0)} req/s` });
  }
  await load.terminate();

} finally {
  await node?.stop();
  await devnet.stop();
  await rm(dataDir, { recursive: true, force: true });
}
