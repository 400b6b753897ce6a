/**
 * City node gateway benchmarks on one anvil (run through `npm run bench`):
 *  - memory per idle app: heap growth of the node with 1,000 apps registered and each touched
 *    once through the gateway;
 *  - write (kv.put, final on chain) and read (kv.get) latency and throughput through the REST
 *    gateway (signed request, auth, registry, signed response) against the same Ethereum
 *    adapter instance called in-process (gateway-compare.ts). On anvil (automine) writes are
 *    bound by CPU, not by the chain: gateway-fabric.bench.ts measures the same on Fabric,
 *    where the orderer's batching bounds them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { privateKeySigner, generatePrivateKey } from '@bsn/contract';
import type { Adapter } from '@bsn/contract';
import { AnvilDevnet } from '@bsn/adapter-ethereum/devnets';
import factory from '@bsn/adapter-ethereum';
import { appKey } from '@bsn/city-node';
import { compareGatewayToInProcess, startBenchNode, type GatewayBenchNode } from './gateway-compare.js';
import { emit, silent } from './report.js';

const BENCH = 'gateway';
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const devnet = await new AnvilDevnet().start();
const dataDir = await mkdtemp(join(tmpdir(), 'bsn-bench-node-'));
let bn: GatewayBenchNode | undefined;
let adapter: Adapter | undefined;
try {
  adapter = await factory.connect({ ...devnet.network, confirmations: 0, pollingIntervalMs: 20 }, { logger: silent, dataDir });
  bn = await startBenchNode({
    adapter,
    network: 'anvil',
    framework: 'ethereum',
    plugin: '@bsn/adapter-ethereum',
    accountAlgorithm: 'secp256k1',
    dataDir,
  });
  const { node, client } = bn;
  // Memory per idle app: 1,000 apps in the registry, each touched once through the gateway.
  const APPS = 1000;
  await client.createApp({ code: 'idle-probe' });
  for (let i = 0; i < 3; i++) gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < APPS; i++) {
    await node.registry.createApp({
      // Registered directly, so under the key the gateway looks an app up by (portal-scoped codes).
      code: appKey('bench', `idle-${i}`),
      portal: 'bench',
      owner: 'u',
      name: `idle ${i}`,
      framework: 'ethereum',
      network: 'anvil',
      chain: { appId: `idle-${i}`, framework: 'ethereum', location: { contract: '0x' + '00'.repeat(20) } },
    });
  }
  for (let i = 0; i < APPS; i++) await client.getApp(`idle-${i}`);
  for (let i = 0; i < 3; i++) gc();
  const after = process.memoryUsage().heapUsed;
  emit({
    bench: BENCH,
    metric: `node heap per idle app, ${APPS} apps registered`,
    value: Math.max(0, after - before) / APPS,
    unit: 'bytes',
    goal: '<16384',
  });
  emit({ bench: BENCH, metric: `node heap with ${APPS + 2} apps`, value: after / 1048576, unit: 'MiB' });

  // The in-process baseline: the same adapter, its own app and a funded signer.
  const signer = privateKeySigner('secp256k1', generatePrivateKey('secp256k1'));
  const account = await adapter.identity.provision(signer);
  await adapter.lifecycle.create(
    {
      appId: 'bench-direct',
      name: 'direct',
      framework: 'ethereum',
      mode: 'consortium',
      placement: 'shared',
      contract: { kind: 'preset-kv' },
      members: [account],
    },
    signer,
  );
  await compareGatewayToInProcess({
    bench: BENCH,
    bn,
    adapter,
    signer,
    directApp: 'bench-direct',
    writes: { n: 60, levels: [8, 32] },
    reads: { n: 1500, levels: [8, 32] },
  });
} finally {
  await bn?.stop();
  await devnet.stop();
  await rm(dataDir, { recursive: true, force: true });
}
