/**
 * The Ethereum adapter against ethers used directly, on the same anvil, in the same run.
 *  - submit latency (p50, p99) of a preset `put`, sequentially: adapter (validation,
 *    request-id check, finality, receipt) vs ethers (send the same call, wait for the receipt);
 *  - submit throughput with 16 writes in flight from one key;
 *  - evaluate rate: `kv.get` vs the same reads through ethers (eth_call + the value's log);
 *  - the wall time of a full conformance run on anvil, boot included (goal < 60 s).
 * Goals from the issue: latency ratio ≤ 1.1, throughput ratio ≥ 0.9.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Contract, JsonRpcProvider, NonceManager, Wallet, keccak256, toUtf8Bytes, hexlify } from 'ethers';
import { BsnIdentity, type Adapter } from '@bsn/contract';
import { AnvilDevnet } from '@bsn/adapter-ethereum/devnets';
import { appInterface } from '@bsn/adapter-ethereum';
import factory from '@bsn/adapter-ethereum';
import { emit, quantile, silent } from './report.js';
import { timed } from './timing.mjs';

const BENCH = 'ethereum';
const value = toUtf8Bytes('x'.repeat(64));

async function main(): Promise<void> {
  const devnet = await new AnvilDevnet().start();
  let adapter: Adapter | undefined;
  try {
    adapter = await factory.connect(devnet.network, { logger: silent, dataDir: mkdtempSync(join(tmpdir(), 'bsn-bench-')) });
    const identity = BsnIdentity.generate();
    const { signer } = identity.keyFor('ethereum', 'secp256k1');
    const account = await adapter.identity.provision(signer);
    const app = await adapter.lifecycle.create(
      {
        appId: `bench-${Date.now()}`,
        name: 'bench',
        framework: 'ethereum',
        mode: 'consortium',
        placement: 'shared',
        contract: { kind: 'preset-kv' },
        members: [],
      },
      signer,
    );
    const address = app.location.address!;
    // The baseline writes from its own member account: two nonce managers must not share one.
    const baselineKey = identity.keyFor('ethereum', 'secp256k1', 1);
    const baselineAccount = await adapter.identity.provision(baselineKey.signer);
    await adapter.lifecycle.addMember(app, baselineAccount, signer);

    // The direct baseline: the same key and contract, ethers with the adapter's polling interval.
    const provider = new JsonRpcProvider(String(devnet.network.rpcUrl), Number(devnet.network.chainId), {
      staticNetwork: true,
      batchMaxCount: 1,
    });
    provider.pollingInterval = 250;
    const wallet = new NonceManager(new Wallet(hexlify(baselineKey.privateKey), provider));
    if ((await wallet.getAddress()).toLowerCase() !== baselineAccount.id.toLowerCase())
      throw new Error('baseline wallet differs from its provisioned account');
    if (account.id === baselineAccount.id) throw new Error('baseline and adapter share an account');
    const contract = new Contract(address, appInterface, wallet);
    let n = 0;
    const direct = async () => {
      const i = ++n;
      const tx = await contract.getFunction('put')(keccak256(toUtf8Bytes(`direct-${i}`)), `direct/${i}`, value);
      // ethers v6 can wait for ever on an automining chain: when the tx is mined after wait()'s first receipt check
      // but before its block poller's first poll (which only records the head), no later block ever wakes it.
      const receipt = await tx.wait(1, 60_000).catch((error: unknown) => {
        throw new Error(
          `baseline: ethers' tx.wait(1) did not return within 60 s (its polling race on an automining chain); run the bench again`,
          { cause: error },
        );
      });
      if (receipt?.status !== 1) throw new Error('baseline put failed');
    };
    const viaAdapter = async () => {
      const i = ++n;
      await adapter!.kv.put({ app, key: `adapter/${i}`, value, requestId: `adapter-${i}` }, signer);
    };

    // Warm both paths (connections, caches, JIT).
    for (let i = 0; i < 5; i++) {
      await direct();
      await viaAdapter();
    }

    // Latency, interleaved so both see the same chain state and machine load.
    const ROUNDS = 60;
    const lat = { adapter: [] as number[], direct: [] as number[] };
    for (let i = 0; i < ROUNDS; i++) {
      let t = performance.now();
      await viaAdapter();
      lat.adapter.push(performance.now() - t);
      t = performance.now();
      await direct();
      lat.direct.push(performance.now() - t);
    }
    const p50 = { adapter: quantile(lat.adapter, 0.5), direct: quantile(lat.direct, 0.5) };
    emit({
      bench: BENCH,
      metric: 'submit latency p50, adapter',
      value: p50.adapter,
      unit: 'ms',
      ratio: p50.adapter / p50.direct,
      baseline: `ethers direct ${p50.direct.toFixed(2)} ms`,
      goal: '<=' + (1.1 * p50.direct).toFixed(2),
    });
    emit({
      bench: BENCH,
      metric: 'submit latency p99, adapter',
      value: quantile(lat.adapter, 0.99),
      unit: 'ms',
      ratio: quantile(lat.adapter, 0.99) / quantile(lat.direct, 0.99),
      baseline: `ethers direct ${quantile(lat.direct, 0.99).toFixed(2)} ms`,
    });

    // Throughput: 16 in flight, 160 writes each way.
    const throughput = async (write: () => Promise<void>) => (await timed(160, 16, write)).rate;
    const tps = { adapter: await throughput(viaAdapter), direct: await throughput(direct) };
    emit({
      bench: BENCH,
      metric: 'submit throughput, 16 in flight, adapter',
      value: tps.adapter,
      unit: 'tx/s',
      ratio: tps.adapter / tps.direct,
      baseline: `ethers direct ${tps.direct.toFixed(1)} tx/s`,
      goal: '>=' + (0.9 * tps.direct).toFixed(1),
    });

    // Evaluate: read one key's value back (a key the adapter wrote).
    const key = 'bench/read';
    await adapter.kv.put({ app, key, value, requestId: 'bench-read' }, signer);
    const reads = 300;
    let t = performance.now();
    for (let i = 0; i < reads; i++) await adapter.kv.get(app, key);
    const adapterRate = reads / ((performance.now() - t) / 1000);
    const kvWritten = appInterface.getEvent('KvWritten')!.topicHash;
    t = performance.now();
    for (let i = 0; i < reads; i++) {
      const [, lastBlock] = (await contract.getFunction('get').staticCall(key)) as [string, bigint];
      await provider.getLogs({
        address,
        topics: [kvWritten, keccak256(toUtf8Bytes(key))],
        fromBlock: Number(lastBlock),
        toBlock: Number(lastBlock),
      });
    }
    const directRate = reads / ((performance.now() - t) / 1000);
    emit({
      bench: BENCH,
      metric: 'evaluate (kv.get) rate, adapter',
      value: adapterRate,
      unit: 'reads/s',
      ratio: adapterRate / directRate,
      baseline: `ethers direct ${directRate.toFixed(0)} reads/s`,
    });
    provider.destroy();
  } finally {
    await adapter?.close();
    await devnet.stop();
  }

  // A full conformance run, as a vendor would start it, anvil boot included.
  const out = mkdtempSync(join(tmpdir(), 'bsn-bench-conformance-'));
  const started = performance.now();
  const run = spawnSync(
    process.execPath,
    ['core/cli/dist/main.js', 'conformance', 'run', '--adapter', 'adapters/ethereum', '--target', 'anvil', '--out', out],
    { encoding: 'utf8' },
  );
  const seconds = (performance.now() - started) / 1000;
  if (run.status !== 0) throw new Error(`conformance run failed (exit ${run.status}):\n${run.stderr.slice(-2000)}`);
  emit({ bench: BENCH, metric: 'full conformance run on anvil, boot included', value: seconds, unit: 's', goal: '<60' });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
