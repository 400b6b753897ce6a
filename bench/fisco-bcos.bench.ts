/**
 * The FISCO BCOS adapter against the same JSON-RPC calls made directly, on the same emulator
 * (its own process, as a node would be), in the same run, for both crypto modes:
 *  - submit latency (p50, p99) of a preset `put`, sequentially: the adapter (validation,
 *    request key, signing, `sendTransaction`, then `getBlockByNumber` for the block's hash, time
 *    and the transaction's place, which a 3.x receipt does not carry) vs the same JSON-RPC calls
 *    made directly (the same call built with the same key and the protocol core, signed,
 *    `sendTransaction`, the status checked, `getBlockByNumber` and the transaction found in it)
 *    — both with a blockLimit from a head read at most 500 ms before;
 *  - submit throughput with 16 writes in flight from one key (FISCO nonces are random: no ordering);
 *  - the emulator's own throughput (the direct figure) and SM against standard crypto.
 * Goals from the issue: latency ratio ≤ 1.1, throughput ratio ≥ 0.9.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AbiCoder } from 'ethers';
import { BsnIdentity, type Adapter } from '@bsn/contract';
import factory, { type FiscoNetworkConfig } from '@bsn/adapter-fisco-bcos';
import { FiscoEmulatorDevnet } from '@bsn/adapter-fisco-bcos/devnets';
import { cryptoSuite, signTransaction, type CryptoMode } from '@bsn/adapter-fisco-bcos/protocol';
import { emit, quantile, silent } from './report.js';
import { timed } from './timing.mjs';

const BENCH = 'fisco-bcos';
const value = new Uint8Array(64).fill(0x78);
const ROUNDS = 60;
const WRITES = 480;
const IN_FLIGHT = 16;

interface ModeResult {
  p50: { adapter: number; direct: number };
  tps: { adapter: number; direct: number };
}

async function benchMode(mode: CryptoMode): Promise<ModeResult> {
  const devnet = await new FiscoEmulatorDevnet(`fisco-bcos${mode === 'sm' ? '-sm' : ''}`, mode).start();
  let adapter: Adapter | undefined;
  try {
    const network = devnet.network as FiscoNetworkConfig & { chainId: string; groupId: string };
    adapter = await factory.connect(devnet.network, { logger: silent, dataDir: mkdtempSync(join(tmpdir(), 'bsn-bench-')) });
    const { signer } = BsnIdentity.generate().keyFor('fisco-bcos', mode === 'sm' ? 'sm2' : 'secp256k1');
    const app = await adapter.lifecycle.create(
      {
        appId: `bench-${mode}-${Date.now()}`,
        name: 'bench',
        framework: 'fisco-bcos',
        mode: 'consortium',
        placement: 'shared',
        contract: { kind: 'preset-kv' },
        members: [],
      },
      signer,
    );
    const address = app.location.address!.replace(/^0x/, '').toLowerCase();

    // The direct baseline: JSON-RPC over fetch, the protocol core to build and sign, nothing else.
    const suite = cryptoSuite(mode);
    const putSelector = Buffer.from(suite.hash(new TextEncoder().encode('put(bytes32,string,bytes)')).subarray(0, 4)).toString('hex');
    let id = 0;
    const rpc = async <T>(method: string, params: unknown[]): Promise<T> => {
      const response = await fetch(network.rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params: [network.groupId, '', ...params] }),
      });
      const body = (await response.json()) as { result?: T; error?: { code: number; message: string } };
      if (body.error) throw new Error(`${method}: ${body.error.message} (${body.error.code})`);
      return body.result as T;
    };
    let head = { number: 0, at: 0 };
    const blockLimit = async () => {
      if (Date.now() - head.at >= 500) head = { number: await rpc<number>('getBlockNumber', []), at: Date.now() };
      return BigInt(head.number + 500);
    };
    let n = 0;
    const direct = async () => {
      const i = ++n;
      const requestKey = '0x' + Buffer.from(suite.hash(new TextEncoder().encode(`direct-${mode}-${i}`))).toString('hex');
      const args = AbiCoder.defaultAbiCoder().encode(['bytes32', 'string', 'bytes'], [requestKey, `direct/${i}`, value]);
      const signed = await signTransaction(
        suite,
        {
          version: 0,
          chainId: network.chainId,
          groupId: network.groupId,
          blockLimit: await blockLimit(),
          nonce: BigInt('0x' + Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex')).toString(),
          to: address,
          input: Buffer.from(putSelector + args.slice(2), 'hex'),
          abi: '',
        },
        signer,
      );
      const receipt = await rpc<{ status: number; blockNumber: number; transactionHash: string }>('sendTransaction', [signed.raw, false]);
      if (receipt.status !== 0) throw new Error(`baseline put failed with status ${receipt.status}`);
      const block = await rpc<{ hash: string; timestamp: number; transactions: string[] }>('getBlockByNumber', [
        receipt.blockNumber,
        false,
        true,
      ]);
      if (block.transactions.indexOf(receipt.transactionHash) < 0 || !block.hash)
        throw new Error('baseline: the transaction is not in its block');
    };
    const viaAdapter = async () => {
      const i = ++n;
      await adapter!.kv.put({ app, key: `adapter/${i}`, value, requestId: `adapter-${mode}-${i}` }, signer);
    };

    for (let i = 0; i < 5; i++) {
      await direct();
      await viaAdapter();
    }

    // Latency, interleaved so both see the same chain state and machine load.
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
    const p99 = { adapter: quantile(lat.adapter, 0.99), direct: quantile(lat.direct, 0.99) };
    emit({
      bench: BENCH,
      metric: `${mode}: submit latency p50, adapter`,
      value: p50.adapter,
      unit: 'ms',
      ratio: p50.adapter / p50.direct,
      baseline: `JSON-RPC direct ${p50.direct.toFixed(2)} ms`,
      goal: '<=' + (1.1 * p50.direct).toFixed(2),
    });
    emit({
      bench: BENCH,
      metric: `${mode}: submit latency p99, adapter`,
      value: p99.adapter,
      unit: 'ms',
      ratio: p99.adapter / p99.direct,
      baseline: `JSON-RPC direct ${p99.direct.toFixed(2)} ms`,
    });

    // Throughput, in ABBA order (the chain grows as it runs).
    const rate = async (write: () => Promise<void>) => (await timed(WRITES / 2, IN_FLIGHT, write)).rate;
    const a1 = await rate(viaAdapter);
    const d1 = await rate(direct);
    const d2 = await rate(direct);
    const a2 = await rate(viaAdapter);
    const tps = { adapter: (a1 + a2) / 2, direct: (d1 + d2) / 2 };
    emit({
      bench: BENCH,
      metric: `${mode}: submit throughput, ${IN_FLIGHT} in flight, adapter`,
      value: tps.adapter,
      unit: 'tx/s',
      ratio: tps.adapter / tps.direct,
      baseline: `JSON-RPC direct ${tps.direct.toFixed(1)} tx/s`,
      goal: '>=' + (0.9 * tps.direct).toFixed(1),
    });
    emit({
      bench: BENCH,
      metric: `${mode}: emulator throughput (direct JSON-RPC, ${IN_FLIGHT} in flight)`,
      value: tps.direct,
      unit: 'tx/s',
    });
    return { p50, tps };
  } finally {
    await adapter?.close();
    await devnet.stop();
  }
}

async function main(): Promise<void> {
  const standard = await benchMode('standard');
  const sm = await benchMode('sm');
  emit({
    bench: BENCH,
    metric: 'SM vs standard: emulator throughput (direct)',
    value: sm.tps.direct,
    unit: 'tx/s',
    ratio: sm.tps.direct / standard.tps.direct,
    baseline: `standard ${standard.tps.direct.toFixed(1)} tx/s`,
  });
  emit({
    bench: BENCH,
    metric: 'SM vs standard: submit latency p50 (direct)',
    value: sm.p50.direct,
    unit: 'ms',
    ratio: sm.p50.direct / standard.p50.direct,
    baseline: `standard ${standard.p50.direct.toFixed(2)} ms`,
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
