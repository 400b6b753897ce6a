/**
 * The gateway against the same adapter called in-process, for any framework: a city node
 * serves the adapter over REST, the load comes from a worker thread (gateway-load.worker.mjs:
 * requests signed before and responses verified after the timed phase), and the in-process
 * side calls `kv.put`/`kv.get` on the very adapter instance the node serves. Rounds alternate
 * the two sides in ABBA order, so drift on a shared machine and a growing chain hit both
 * alike; each metric is the median ratio over the rounds, with its range, and the node's own
 * main-thread CPU per request is reported beside it. Throughput is reported per load level
 * and as peak against peak (the best rate each side reaches over the levels); one request at
 * a time it is only the inverse of latency, whose goal is the added p50.
 */
import { Worker } from 'node:worker_threads';
import type { Adapter, KeyAlgorithm, Signer } from '@bsn/contract';
import { generatePrivateKey, publicKeyOf, toHex } from '@bsn/contract';
import { BsnClient } from '@bsn/client';
import { CityNode, resolveNodeConfig } from '@bsn/city-node';
import { mainThreadCpuMs, timed, type Run } from './timing.mjs';
import { emit, median, quantile, silent } from './report.js';

/** Rounds per side and load level: one whole ABBA cycle (see `alternate`), so a steady drift cancels. */
const ROUNDS = 4;

/** A run plus the node's main-thread CPU per request during it (ms). */
type Measured = Run & { busyMs: number };

/** Runs `run` and adds the main thread's CPU per request: where the adapter and the node's own work run. */
async function busy(n: number, run: () => Promise<Run>): Promise<Measured> {
  const before = mainThreadCpuMs();
  const elu = performance.eventLoopUtilization();
  const r = await run();
  const after = mainThreadCpuMs();
  const ms = before !== undefined && after !== undefined ? after - before : performance.eventLoopUtilization(elu).active;
  return { ...r, busyMs: ms / n };
}

export interface GatewayBenchNode {
  node: CityNode;
  client: BsnClient;
  userKey: Uint8Array;
  stop(): Promise<void>;
}

/** A city node serving `adapter` as network `network`, with one admin user `u` (hosted keys), and `users` beside it in portal `bench`. */
export async function startBenchNode(o: {
  adapter: Adapter;
  network: string;
  framework: string;
  plugin: string;
  accountAlgorithm: KeyAlgorithm;
  dataDir: string;
  users?: Array<{ code: string; publicKey: string; role: 'operator' | 'admin' | 'member' }>;
}): Promise<GatewayBenchNode> {
  const userKey = generatePrivateKey('secp256r1');
  const config = resolveNodeConfig(
    {
      node: { name: 'bench', dataDir: o.dataDir },
      listen: { restPort: 0, grpc: false },
      keys: { scryptN: 1024 },
      portals: [
        {
          code: 'bench',
          users: [
            { code: 'u', algorithm: 'secp256r1', publicKey: toHex(publicKeyOf('secp256r1', userKey)), role: 'admin' },
            ...(o.users ?? []).map((u) => ({ ...u, algorithm: 'secp256r1' })),
          ],
        },
      ],
    },
    o.dataDir,
  );
  const node = await CityNode.start({
    config,
    passphrase: 'bench',
    logger: silent,
    networks: [
      {
        name: o.network,
        framework: o.framework,
        plugin: o.plugin,
        certified: true,
        adapter: o.adapter,
        description: o.adapter.describe(),
        accountAlgorithm: o.accountAlgorithm,
        origin: { kind: 'endpoint' },
      },
    ],
  });
  const client = new BsnClient({ baseUrl: node.restUrl, user: 'u', algorithm: 'secp256r1', privateKey: userKey });
  return {
    node,
    client,
    userKey,
    stop: async () => {
      client.close();
      await node.stop();
    },
  };
}

export interface CompareOptions {
  bench: string;
  bn: GatewayBenchNode;
  adapter: Adapter;
  /** The in-process side's signer (a hosted key like the node's). */
  signer: Signer;
  /** The in-process side's app (created by the caller); the gateway side creates `bench-gw`. */
  directApp: string;
  writes: { n: number; levels: number[] };
  reads: { n: number; levels: number[] };
}

export async function compareGatewayToInProcess(o: CompareOptions): Promise<void> {
  const { bench, adapter, signer } = o;
  await o.bn.client.createApp({ code: 'bench-gw' });
  const value = new Uint8Array(256).fill(7);
  const app = { appId: o.directApp };
  const load = new Worker(new URL('./gateway-load.worker.mjs', import.meta.url), {
    workerData: { baseUrl: o.bn.node.restUrl, user: 'u', privateKey: toHex(o.bn.userKey), app: 'bench-gw' },
  });
  const remote = (job: Record<string, unknown>) =>
    new Promise<Run>((resolve, reject) => {
      load.once('message', (r: Run & { error?: string }) => (r.error ? reject(new Error(r.error)) : resolve(r)));
      load.postMessage(job);
    });
  const report = (metric: string, unit: string, gw: number[], direct: number[], extra: Record<string, unknown> = {}) => {
    const ratios = gw.map((g, i) => g / direct[i]!);
    emit({
      bench,
      metric,
      value: median(gw),
      unit,
      ratio: median(ratios),
      range: [Math.min(...ratios), Math.max(...ratios)],
      baseline: `in-process ${median(direct).toFixed(2)} ${unit}`,
      ...extra,
    });
  };
  const peak = (metric: string, unit: string, goalRatio: number, levels: Array<{ g: number[]; d: number[] }>) => {
    const best = (side: 'g' | 'd', r: number) => Math.max(...levels.map((l) => l[side][r]!));
    const g = levels[0]!.g.map((_, r) => best('g', r));
    const d = levels[0]!.d.map((_, r) => best('d', r));
    report(metric, unit, g, d, { goal: `>=${goalRatio}`, goalOn: 'ratio' });
  };

  /**
   * ROUNDS rounds of the in-process side (`direct`) and the gateway (`gateway`), in the
   * order D G, G D, G D, D G, … (ABBA): a devnet slows as its chain grows (anvil mines each
   * transaction slower after thousands of blocks), so a fixed order would always hand the
   * second side the slower chain; ABBA cancels a steady drift.
   */
  const alternate = async (n: number, direct: (r: number) => Promise<Run>, gateway: (r: number) => Promise<Run>) => {
    const d: Measured[] = [];
    const g: Measured[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const directFirst = r % 4 === 0 || r % 4 === 3;
      if (directFirst) d.push(await busy(n, () => direct(r)));
      g.push(await busy(n, () => gateway(r)));
      if (!directFirst) d.push(await busy(n, () => direct(r)));
    }
    return { d, g };
  };
  /**
   * The node's own main-thread CPU per request: gateway rounds minus in-process rounds (same
   * adapter work); and the whole machine's CPU per request in the timed phases (the load
   * generator's HTTP included, its signing before and checking after left out).
   */
  const overhead = (what: string, level: string, d: Measured[], g: Measured[]) => {
    const extra = g.map((x, i) => x.busyMs - d[i]!.busyMs);
    emit({
      bench,
      metric: `gateway main-thread CPU per ${what}, ${level}`,
      value: median(extra),
      unit: 'ms',
      range: [Math.min(...extra), Math.max(...extra)],
      baseline: `in-process ${median(d.map((x) => x.busyMs)).toFixed(3)} ms per request`,
    });
    if (g.every((x) => x.machineMs !== undefined) && d.every((x) => x.machineMs !== undefined)) {
      report(
        `machine CPU per ${what}, ${level}`,
        'ms',
        g.map((x) => x.machineMs!),
        d.map((x) => x.machineMs!),
      );
    }
  };
  const label = (concurrency: number) => (concurrency === 1 ? 'sequential' : `${concurrency} in flight`);

  try {
    const writeLevels: Array<{ g: number[]; d: number[] }> = [];
    for (const concurrency of [1, ...o.writes.levels]) {
      const n = concurrency === 1 ? Math.min(o.writes.n, 40) : o.writes.n;
      const { d, g } = await alternate(
        n,
        (r) =>
          timed(n, concurrency, (i) =>
            adapter.kv.put({ app, key: `d${concurrency}-${r}-${i}`, value, requestId: `d${concurrency}-${r}-${i}` }, signer),
          ),
        (r) => remote({ op: 'put', n, concurrency, prefix: `g${concurrency}-${r}`, value: Array.from(value) }),
      );
      report(
        `write p50, ${label(concurrency)}`,
        'ms',
        g.map((x) => quantile(x.lat, 0.5)),
        d.map((x) => quantile(x.lat, 0.5)),
      );
      report(
        `write p99, ${label(concurrency)}`,
        'ms',
        g.map((x) => quantile(x.lat, 0.99)),
        d.map((x) => quantile(x.lat, 0.99)),
      );
      if (concurrency > 1) {
        report(
          `write throughput, ${label(concurrency)}`,
          'tx/s',
          g.map((x) => x.rate),
          d.map((x) => x.rate),
        );
        overhead('write', label(concurrency), d, g);
        writeLevels.push({ g: g.map((x) => x.rate), d: d.map((x) => x.rate) });
      }
    }
    peak('write throughput, peak vs peak', 'tx/s', 0.9, writeLevels);

    const keys = Math.min(o.writes.n, 40);
    const readLevels: Array<{ g: number[]; d: number[] }> = [];
    for (const concurrency of [1, ...o.reads.levels]) {
      const n = concurrency === 1 ? Math.min(o.reads.n, 300) : o.reads.n;
      const { d, g } = await alternate(
        n,
        () => timed(n, concurrency, (i) => adapter.kv.get(app, `d1-0-${i % keys}`)),
        () => remote({ op: 'get', n, concurrency, prefix: 'g1-0', keys }),
      );
      if (concurrency === 1) {
        const added = g.map((x, i) => quantile(x.lat, 0.5) - quantile(d[i]!.lat, 0.5));
        report(
          `read p50, ${label(concurrency)}`,
          'ms',
          g.map((x) => quantile(x.lat, 0.5)),
          d.map((x) => quantile(x.lat, 0.5)),
          { added: median(added), goal: `<${(median(d.map((x) => quantile(x.lat, 0.5))) + 2).toFixed(2)}` },
        );
        report(
          `read p99, ${label(concurrency)}`,
          'ms',
          g.map((x) => quantile(x.lat, 0.99)),
          d.map((x) => quantile(x.lat, 0.99)),
        );
      } else {
        report(
          `read throughput, ${label(concurrency)}`,
          'req/s',
          g.map((x) => x.rate),
          d.map((x) => x.rate),
        );
        overhead('read', label(concurrency), d, g);
        readLevels.push({ g: g.map((x) => x.rate), d: d.map((x) => x.rate) });
      }
    }
    peak('read throughput, peak vs peak', 'req/s', 0.8, readLevels);
  } finally {
    await load.terminate();
  }
}
