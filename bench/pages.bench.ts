/**
 * The pages cost the API nothing measurable. The gateway read ratio of gateway.bench.ts — REST
 * read throughput (8 in flight, signed requests, signed answers) over the same adapter's
 * `kv.get` called in-process — measured with no page open, and with the operator page and the
 * portal page (an app open: its usage, grants and details) open in a headless Chromium and
 * polling every second, twice as often as by default. Rounds alternate no-page / pages in ABBA
 * order, and inside each round the in-process and gateway sides alternate too (as in
 * gateway-compare.ts), so drift on a shared machine cancels; the cost is the median over
 * neighbouring (pages, no page) pairs. The browser and its driver run in a process of their
 * own (pages-browser.mjs) at the lowest CPU priority (nice 19), standing in for the person's
 * own machine; the node's main-thread CPU per read, the pages' calls included, is reported
 * beside the ratio. Without Chromium
 * (Debian's `chromium`, or BSN_CHROMIUM) the bench says why and measures nothing.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import factory from '@bsn/adapter-ethereum';
import { AnvilDevnet } from '@bsn/adapter-ethereum/devnets';
import type { Adapter } from '@bsn/contract';
import { generatePrivateKey, privateKeySigner, publicKeyOf, toHex } from '@bsn/contract';
import { startBenchNode, type GatewayBenchNode } from './gateway-compare.js';
import { emit, median, quantile, silent } from './report.js';
import { mainThreadCpuMs, timed, type Run } from './timing.mjs';

const BENCH = 'pages';
const ROUNDS = Number(process.env['BSN_PAGES_ROUNDS'] ?? 12);
const READS = 2000;
const IN_FLIGHT = 8;
const KEYS = 40;
const POLL_MS = 1000;

const chromiumPath = [process.env['BSN_CHROMIUM'], '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p && existsSync(p));
if (!chromiumPath) {
  console.error('pages bench skipped: no Chromium (/usr/bin/chromium; .ci/run installs Debian’s chromium, or set BSN_CHROMIUM)');
  process.exit(0);
}

const devnet = await new AnvilDevnet().start();
const dataDir = await mkdtemp(join(tmpdir(), 'bsn-bench-pages-'));
const keyDir = await mkdtemp(join(tmpdir(), 'bsn-bench-pages-keys-'));
let bn: GatewayBenchNode | undefined;
let adapter: Adapter | undefined;
let load: Worker | undefined;
try {
  adapter = await factory.connect({ ...devnet.network, confirmations: 0, pollingIntervalMs: 20 }, { logger: silent, dataDir });
  const operatorKey = generatePrivateKey('secp256r1');
  const operatorPublic = toHex(publicKeyOf('secp256r1', operatorKey));
  bn = await startBenchNode({
    adapter,
    network: 'anvil',
    framework: 'ethereum',
    plugin: '@bsn/adapter-ethereum',
    accountAlgorithm: 'secp256k1',
    dataDir,
    users: [{ code: 'ops', publicKey: operatorPublic, role: 'operator' }],
  });
  const keyFile = async (user: string, privateKey: Uint8Array) => {
    const file = join(keyDir, `${user}.json`);
    await writeFile(
      file,
      JSON.stringify({
        user,
        algorithm: 'secp256r1',
        privateKey: toHex(privateKey),
        publicKey: toHex(publicKeyOf('secp256r1', privateKey)),
      }),
    );
    return file;
  };
  const operatorFile = await keyFile('ops', operatorKey);
  const userFile = await keyFile('u', bn.userKey);

  // The two sides' data: KEYS values each, read round-robin.
  const signer = privateKeySigner('secp256k1', generatePrivateKey('secp256k1'));
  const account = await adapter.identity.provision(signer);
  await adapter.lifecycle.create(
    {
      appId: 'pages-direct',
      name: 'direct',
      framework: 'ethereum',
      mode: 'consortium',
      placement: 'shared',
      contract: { kind: 'preset-kv' },
      members: [account],
    },
    signer,
  );
  await bn.client.createApp({ code: 'bench-gw' });
  const value = new Uint8Array(256).fill(7);
  const app = { appId: 'pages-direct' };
  load = new Worker(new URL('./gateway-load.worker.mjs', import.meta.url), {
    workerData: { baseUrl: bn.node.restUrl, user: 'u', privateKey: toHex(bn.userKey), app: 'bench-gw' },
  });
  const remote = (job: Record<string, unknown>) =>
    new Promise<Run>((resolve, reject) => {
      load!.once('message', (r: Run & { error?: string }) => (r.error ? reject(new Error(r.error)) : resolve(r)));
      load!.postMessage(job);
    });
  await timed(KEYS, 4, (i) => adapter!.kv.put({ app, key: `d-${i}`, value, requestId: `d-${i}` }, signer));
  await remote({ op: 'put', n: KEYS, concurrency: 4, prefix: 'g', value: Array.from(value) });

  /** The pages open in their own process (pages-browser.mjs); resolves once they poll. */
  const openPages = async () => {
    const child = spawn(
      process.execPath,
      [
        fileURLToPath(new URL('./pages-browser.mjs', import.meta.url)),
        JSON.stringify({
          dir: keyDir,
          chromium: chromiumPath,
          restUrl: bn!.node.restUrl,
          pollMs: POLL_MS,
          operatorFile,
          userFile,
          network: 'anvil',
          app: 'bench-gw',
        }),
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    /** The next line the browser process prints that `wanted` accepts (others pass through to stderr); undefined once it ended. */
    const next = async (wanted: (line: string) => boolean): Promise<string | undefined> => {
      for (;;) {
        const line = await lines.next();
        if (line.done) return undefined;
        if (wanted(line.value)) return line.value;
        console.error(`[pages-browser] ${line.value}`);
      }
    };
    const guard = setTimeout(() => child.kill('SIGTERM'), 120_000);
    const ready = await next((l) => l === 'ready');
    clearTimeout(guard);
    if (!ready) throw new Error(`the pages' browser did not start (exit ${child.exitCode ?? child.signalCode})`);
    return {
      stop: async (): Promise<{ calls: number; ms: number }> => {
        const exited = new Promise((res) => (child.exitCode !== null ? res(child.exitCode) : child.once('exit', res)));
        child.stdin!.end('stop\n');
        const answer = await next((l) => l.startsWith('{'));
        await exited;
        if (!answer) throw new Error("the pages' browser ended without counting its calls");
        return JSON.parse(answer) as { calls: number; ms: number };
      },
    };
  };

  type Sample = { ratio: number; p50: number; nodeCpuMs: number };
  const closed: Sample[] = [];
  const open: Sample[] = [];
  let pageCalls = 0;
  let pagesMs = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const withPages = r % 4 === 1 || r % 4 === 2;
    const pages = withPages ? await openPages() : undefined;
    const direct = () => timed(READS, IN_FLIGHT, (i) => adapter!.kv.get(app, `d-${i % KEYS}`));
    // The node serves the gateway (and the pages' calls) on this process's main thread.
    const gateway = async () => {
      const before = mainThreadCpuMs();
      const run = await remote({ op: 'get', n: READS, concurrency: IN_FLIGHT, prefix: 'g', keys: KEYS });
      const after = mainThreadCpuMs();
      return { ...run, nodeCpuMs: before !== undefined && after !== undefined ? (after - before) / READS : NaN };
    };
    let d: Run;
    let g: Run & { nodeCpuMs: number };
    if (r % 2 === 0) {
      d = await direct();
      g = await gateway();
    } else {
      g = await gateway();
      d = await direct();
    }
    (withPages ? open : closed).push({ ratio: g.rate / d.rate, p50: quantile(g.lat, 0.5), nodeCpuMs: g.nodeCpuMs });
    if (pages) {
      const { calls, ms } = await pages.stop();
      if (calls === 0) throw new Error('the pages made no API call while open: they are not polling');
      pageCalls += calls;
      pagesMs += ms;
    }
    console.error(
      `round ${r + 1}/${ROUNDS} ${withPages ? 'pages open' : 'no page   '}: ratio ${(g.rate / d.rate).toFixed(3)} (gateway ${g.rate.toFixed(0)}/s, in-process ${d.rate.toFixed(0)}/s), node CPU ${g.nodeCpuMs.toFixed(3)} ms/read`,
    );
  }
  // Rounds pair up as (no page, pages) or (pages, no page), neighbours in time: the cost is the
  // median over pairs of pages ÷ no page, which a drift across the whole run does not bias.
  const pairs = open.map((o, i) => o.ratio / closed[i]!.ratio);
  const noPage = median(closed.map((x) => x.ratio));
  const withPages = median(open.map((x) => x.ratio));
  const range = (xs: number[]) => [Math.min(...xs), Math.max(...xs)];
  emit({
    bench: BENCH,
    metric: `gateway read ratio (REST ÷ in-process throughput), ${IN_FLIGHT} in flight, no page open`,
    value: noPage,
    unit: '×',
    range: range(closed.map((x) => x.ratio)),
  });
  emit({
    bench: BENCH,
    metric: `gateway read ratio, ${IN_FLIGHT} in flight, operator + portal pages open polling every ${POLL_MS / 1000} s`,
    value: withPages,
    unit: '×',
    ratio: median(pairs),
    range: range(pairs),
    baseline: `no page ${noPage.toFixed(3)}× (ratio: median over ${pairs.length} neighbouring pairs)`,
    goal: '>=0.9',
    goalOn: 'ratio',
  });
  emit({
    bench: BENCH,
    metric: `gateway read p50, ${IN_FLIGHT} in flight, pages open`,
    value: median(open.map((x) => x.p50)),
    unit: 'ms',
    ratio: median(open.map((x) => x.p50)) / median(closed.map((x) => x.p50)),
    baseline: `no page ${median(closed.map((x) => x.p50)).toFixed(2)} ms`,
  });
  emit({
    bench: BENCH,
    metric: 'node main-thread CPU per gateway read, pages open (their calls included)',
    value: median(open.map((x) => x.nodeCpuMs)),
    unit: 'ms',
    ratio: median(open.map((x) => x.nodeCpuMs)) / median(closed.map((x) => x.nodeCpuMs)),
    baseline: `no page ${median(closed.map((x) => x.nodeCpuMs)).toFixed(3)} ms`,
  });
  emit({
    bench: BENCH,
    metric: 'signed API calls made by the two open pages while measured',
    value: pageCalls / (pagesMs / 1000),
    unit: 'req/s',
  });
} finally {
  await load?.terminate();
  await bn?.stop();
  await devnet.stop();
  await rm(dataDir, { recursive: true, force: true });
  await rm(keyDir, { recursive: true, force: true });
}
