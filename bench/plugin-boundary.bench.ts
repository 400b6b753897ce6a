/**
 * The plugin process boundary: the Ethereum adapter confined in its own process (`loadIsolated`)
 * against the same adapter loaded in the node's process (`PluginHost.load`), on the same anvil,
 * in the same run.
 *  - submit latency p50 of a preset `put`, interleaved (goal: ≤ 1.1× in-process);
 *  - evaluate rate of `kv.get`, interleaved in blocks (goal: ≥ 0.9× in-process);
 *  - plugin start, verify + spawn + ready (goal: < 300 ms), for the Ethereum adapter and for a
 *    plugin with no dependencies, with the breakdown; the baseline is the same entry imported
 *    by an unconfined child process (what the import alone costs).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BsnIdentity, type Adapter, type AppInfo, type Signer } from '@bsn/contract';
import { AnvilDevnet } from '@bsn/adapter-ethereum/devnets';
import { PluginHost, loadIsolated } from '@bsn/plugin-host';
import { makePluginFolder } from '@bsn/plugin-host/testing';
import { emit, median, quantile, silent } from './report.js';

const BENCH = 'plugin-boundary';
const ADAPTER_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'adapters', 'ethereum');
const value = new TextEncoder().encode('x'.repeat(64));

/** ms from spawning an unconfined node to the entry imported in it. */
function unconfinedImport(entry: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const code = `await import(${JSON.stringify(pathToFileURL(entry).href)}); process.send('ready');`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    child.once('message', () => {
      const ms = performance.now() - started;
      child.kill();
      resolve(ms);
    });
    child.once('exit', (code) => reject(new Error(`the unconfined import exited with ${code}`)));
  });
}

async function starts(host: PluginHost, folder: string, rounds: number) {
  const total: number[] = [];
  const verify: number[] = [];
  const spawn: number[] = [];
  const work = mkdtempSync(join(tmpdir(), 'bsn-bench-start-'));
  try {
    for (let i = 0; i < rounds; i++) {
      const t = performance.now();
      const plugin = await loadIsolated(host, folder, { dataDirs: [join(work, `d${i}`)], logger: silent });
      total.push(performance.now() - t);
      verify.push(plugin.timings.verifyMs);
      spawn.push(plugin.timings.startMs);
      await plugin.close();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { total: median(total), verify: median(verify), spawn: median(spawn) };
}

async function newApp(adapter: Adapter, signer: Signer, tag: string): Promise<AppInfo> {
  await adapter.identity.provision(signer);
  return adapter.lifecycle.create(
    {
      appId: `boundary-${tag}-${Date.now()}`,
      name: tag,
      framework: 'ethereum',
      mode: 'consortium',
      placement: 'shared',
      contract: { kind: 'preset-kv' },
      members: [],
    },
    signer,
  );
}

async function main(): Promise<void> {
  const host = new PluginHost({ trustedCertifiers: [], dev: true, logger: silent });
  const work = mkdtempSync(join(tmpdir(), 'bsn-bench-boundary-'));

  // Plugin start. Warm the digest cache and the file cache first: a node verifies at start once.
  await host.verify(ADAPTER_DIR);
  const eth = await starts(host, ADAPTER_DIR, 7);
  const baseline: number[] = [];
  for (let i = 0; i < 7; i++) baseline.push(await unconfinedImport(join(ADAPTER_DIR, 'dist', 'index.js')));
  emit({
    bench: BENCH,
    metric: 'plugin start (verify + spawn + ready), Ethereum adapter',
    value: eth.total,
    unit: 'ms',
    ratio: eth.spawn / median(baseline),
    baseline: `verify ${eth.verify.toFixed(0)} ms + spawn→ready ${eth.spawn.toFixed(0)} ms; unconfined spawn + import ${median(baseline).toFixed(0)} ms`,
    goal: '<300',
  });
  const tiny = await makePluginFolder({ parent: work, name: '@bench/tiny' });
  const small = await starts(host, tiny.folder, 7);
  emit({
    bench: BENCH,
    metric: 'plugin start (verify + spawn + ready), plugin without dependencies',
    value: small.total,
    unit: 'ms',
    baseline: `verify ${small.verify.toFixed(0)} ms + spawn→ready ${small.spawn.toFixed(0)} ms`,
    goal: '<300',
  });

  const devnet = await new AnvilDevnet().start();
  let confined: Adapter | undefined;
  let direct: Adapter | undefined;
  const plugin = await loadIsolated(host, ADAPTER_DIR, { dataDirs: [join(work, 'confined')], logger: silent });
  try {
    confined = await plugin.factory.connect(devnet.network, { logger: silent, dataDir: join(work, 'confined') });
    direct = await (await host.load(ADAPTER_DIR)).factory.connect(devnet.network, { logger: silent, dataDir: join(work, 'direct') });
    // Two accounts, two apps: the two adapters keep their own nonces.
    const identity = BsnIdentity.generate();
    const signers = { confined: identity.signerFor('ethereum', 'secp256k1', 0), direct: identity.signerFor('ethereum', 'secp256k1', 1) };
    const apps = { confined: await newApp(confined, signers.confined, 'confined'), direct: await newApp(direct, signers.direct, 'direct') };
    let n = 0;
    const put = (which: 'confined' | 'direct') => {
      const i = ++n;
      const adapter = which === 'confined' ? confined! : direct!;
      return adapter.kv.put({ app: apps[which], key: `k/${i}`, value, requestId: `r-${i}` }, signers[which]);
    };
    // Warm both paths alike (the JIT of each process, connections): a node serves for long.
    for (let i = 0; i < 20; i++) {
      await put('confined');
      await put('direct');
    }
    for (let i = 0; i < 1000; i++) {
      await confined.kv.get(apps.confined, `k/${n - 1}`);
      await direct.kv.get(apps.direct, `k/${n}`);
    }

    // Submit latency, interleaved so both see the same chain and machine load.
    const lat = { confined: [] as number[], direct: [] as number[] };
    for (let i = 0; i < 60; i++) {
      for (const which of i % 2 ? (['direct', 'confined'] as const) : (['confined', 'direct'] as const)) {
        const t = performance.now();
        await put(which);
        lat[which].push(performance.now() - t);
      }
    }
    const p50 = { confined: quantile(lat.confined, 0.5), direct: quantile(lat.direct, 0.5) };
    emit({
      bench: BENCH,
      metric: 'submit latency p50, through the process boundary',
      value: p50.confined,
      unit: 'ms',
      ratio: p50.confined / p50.direct,
      baseline: `in-process ${p50.direct.toFixed(2)} ms`,
      goal: '<=1.1',
      goalOn: 'ratio',
    });
    emit({
      bench: BENCH,
      metric: 'submit latency p99, through the process boundary',
      value: quantile(lat.confined, 0.99),
      unit: 'ms',
      ratio: quantile(lat.confined, 0.99) / quantile(lat.direct, 0.99),
      baseline: `in-process ${quantile(lat.direct, 0.99).toFixed(2)} ms`,
    });

    // Reads: blocks of 100 `kv.get`, alternating, 600 each way.
    await put('confined');
    await put('direct');
    const key = { confined: `k/${n - 1}`, direct: `k/${n}` };
    const time = { confined: 0, direct: 0 };
    for (let block = 0; block < 6; block++) {
      for (const which of block % 2 ? (['direct', 'confined'] as const) : (['confined', 'direct'] as const)) {
        const adapter = which === 'confined' ? confined : direct;
        const t = performance.now();
        for (let i = 0; i < 100; i++) await adapter.kv.get(apps[which], key[which]);
        time[which] += performance.now() - t;
      }
    }
    const rate = { confined: 600 / (time.confined / 1000), direct: 600 / (time.direct / 1000) };
    emit({
      bench: BENCH,
      metric: 'evaluate (kv.get) rate, through the process boundary',
      value: rate.confined,
      unit: 'reads/s',
      ratio: rate.confined / rate.direct,
      baseline: `in-process ${rate.direct.toFixed(0)} reads/s`,
      goal: '>=0.9',
      goalOn: 'ratio',
    });
    // The same reads 16 in flight: the boundary's wake-ups overlap with the chain's.
    const concurrent = async (which: 'confined' | 'direct') => {
      const adapter = which === 'confined' ? confined! : direct!;
      const t = performance.now();
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          for (let i = 0; i < 40; i++) await adapter.kv.get(apps[which], key[which]);
        }),
      );
      return 640 / ((performance.now() - t) / 1000);
    };
    const parallel = { confined: 0, direct: 0 };
    for (let round = 0; round < 2; round++) {
      parallel.direct += await concurrent('direct');
      parallel.confined += await concurrent('confined');
    }
    emit({
      bench: BENCH,
      metric: 'evaluate (kv.get) rate, 16 in flight, through the process boundary',
      value: parallel.confined / 2,
      unit: 'reads/s',
      ratio: parallel.confined / parallel.direct,
      baseline: `in-process ${(parallel.direct / 2).toFixed(0)} reads/s`,
    });
    emit({
      bench: BENCH,
      metric: 'boundary cost per read (confined − in-process)',
      value: ((time.confined - time.direct) / 600) * 1000,
      unit: 'µs',
    });
  } finally {
    await confined?.close();
    await direct?.close();
    await plugin.close();
    await devnet.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
