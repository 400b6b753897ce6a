/**
 * An app that brings its own contract (#19) on the FISCO BCOS 3.x EMULATOR (a real EVM behind
 * FISCO's JSON-RPC, in its own process as a node would be — not a FISCO node: none is on any
 * registry), through the adapter's generic gateway against the same JSON-RPC calls made
 * directly to the same proxy with the same key, in the same run, for both crypto modes. No
 * FISCO node SDK exists in npm, so the baseline is what such an SDK would do, built with the
 * adapter's protocol core for signing only (as bench/fisco-bcos.bench.ts does):
 *  - submit latency (p50, p99) of the sample token's `transfer`, ABBA rounds: the adapter
 *    (the app looked up, the argument typed by the version's ABI, the call wrapped in the
 *    proxy's `bsnRequest` which records the request id once, signed, `sendTransaction`, the
 *    status checked, `getBlockByNumber` for the block's hash and the transaction's place, the
 *    receipt's events decoded by the ABI) vs direct (`transfer(address,uint256)` encoded under
 *    the chain's hash and sent to the app's proxy, signed by the same key, `sendTransaction`,
 *    the status checked, `getBlockByNumber` and the transaction found in it) — both with a
 *    blockLimit from a head read at most 500 ms before;
 *  - submit throughput with 16 transfers in flight from that one key (FISCO nonces are random);
 *  - evaluate rate: `balanceOf` through the gateway vs a JSON-RPC `call` of it decoded.
 * The direct side skips `bsnRequest` (it is the adapter's idempotency, part of what is
 * measured), as the Ethereum bench's ethers side calls the proxy's `transfer` itself.
 * Goals from the issue: latency ratio ≤ 1.1, throughput ratio ≥ 0.9 (for the adapter layer).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AbiCoder } from 'ethers';
import { BsnIdentity, type Adapter, type AppInfo } from '@bsn/contract';
import factory, { type FiscoNetworkConfig } from '@bsn/adapter-fisco-bcos';
import devnets, { FiscoEmulatorDevnet } from '@bsn/adapter-fisco-bcos/devnets';
import { accountOf, cryptoSuite, signTransaction, type CryptoMode } from '@bsn/adapter-fisco-bcos/protocol';
import { emit, quantile, silent } from './report.js';
import { timed } from './timing.mjs';

const BENCH = 'custom-contract-fisco-bcos';
const ROUNDS = 60;
const WRITES = 320;
const IN_FLIGHT = 16;
const READS = 300;
const coder = AbiCoder.defaultAbiCoder();

async function benchMode(mode: CryptoMode): Promise<void> {
  const label = `${mode} (emulator)`;
  const devnet = await new FiscoEmulatorDevnet(`fisco-bcos${mode === 'sm' ? '-sm' : ''}`, mode).start();
  let adapter: Adapter | undefined;
  try {
    const network = devnet.network as FiscoNetworkConfig & { chainId: string; groupId: string };
    adapter = await factory.connect(devnet.network, { logger: silent, dataDir: mkdtempSync(join(tmpdir(), 'bsn-bench-')) });
    const suite = cryptoSuite(mode);
    const identity = BsnIdentity.generate();
    const { signer } = identity.keyFor('fisco-bcos', mode === 'sm' ? 'sm2' : 'secp256k1');
    const holder = await adapter.identity.provision(signer);
    const receiver = await adapter.identity.provision(identity.keyFor('fisco-bcos', mode === 'sm' ? 'sm2' : 'secp256k1', 1).signer);
    if (holder.id !== accountOf(suite, signer.publicKey)) throw new Error('the adapter and the protocol core disagree on the account');
    const sample = await devnets.tokenSample!(devnet.network);
    process.stderr.write(`[${BENCH}] ${label}: deploying the sample token through the adapter\n`);
    const app: AppInfo = await adapter.lifecycle.create(
      {
        appId: `bench-token-${mode}-${Date.now()}`,
        name: 'bench token',
        framework: 'fisco-bcos',
        mode: 'consortium',
        placement: 'shared',
        contract: sample.v1(holder),
        members: [receiver],
      },
      signer,
    );
    const proxy = app.location.address!.replace(/^0x/, '').toLowerCase();
    let n = 0;
    const submit = (call: { method: string; args: string[] }) =>
      adapter!.gateway.submit({ app, method: call.method, args: call.args, requestId: `bench-${mode}-${++n}` }, signer);
    await submit(sample.mint(holder, 10n ** 12n));

    // The direct baseline: JSON-RPC over fetch, the protocol core to sign, nothing else.
    const selector = (signature: string) => Buffer.from(suite.hash(new TextEncoder().encode(signature)).subarray(0, 4)).toString('hex');
    const transferInput = Buffer.from(
      selector('transfer(address,uint256)') + coder.encode(['address', 'uint256'], [receiver.id, 1n]).slice(2),
      'hex',
    );
    const balanceData = '0x' + selector('balanceOf(address)') + coder.encode(['address'], [holder.id]).slice(2);
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
    const direct = async () => {
      const signed = await signTransaction(
        suite,
        {
          version: 0,
          chainId: network.chainId,
          groupId: network.groupId,
          blockLimit: await blockLimit(),
          nonce: BigInt('0x' + Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex')).toString(),
          to: proxy,
          input: transferInput,
          abi: '',
        },
        signer,
      );
      const receipt = await rpc<{ status: number; blockNumber: number; transactionHash: string }>('sendTransaction', [signed.raw, false]);
      if (receipt.status !== 0) throw new Error(`baseline transfer failed with status ${receipt.status}`);
      const block = await rpc<{ hash: string; transactions: string[] }>('getBlockByNumber', [receipt.blockNumber, false, true]);
      if (block.transactions.indexOf(receipt.transactionHash) < 0 || !block.hash)
        throw new Error('baseline: the transaction is not in its block');
    };
    const viaAdapter = async () => {
      const receipt = await submit(sample.transfer(receiver, 1n));
      if (!receipt.events.some((e) => e.name === sample.transferEvent)) throw new Error('adapter: the transfer carries no Transfer event');
    };

    for (let i = 0; i < 5; i++) {
      await direct();
      await viaAdapter();
    }
    const before = sample.balanceOf((await adapter.gateway.evaluate({ app, ...sample.balance(receiver) })).result);

    process.stderr.write(`[${BENCH}] ${label}: ${ROUNDS} ABBA latency rounds\n`);
    const lat = { adapter: [] as number[], direct: [] as number[] };
    for (let i = 0; i < ROUNDS; i++) {
      const order = i % 2 === 0 ? (['adapter', 'direct'] as const) : (['direct', 'adapter'] as const);
      for (const side of order) {
        const t = performance.now();
        await (side === 'adapter' ? viaAdapter() : direct());
        lat[side].push(performance.now() - t);
      }
    }
    for (const [q, name] of [
      [0.5, 'p50'],
      [0.99, 'p99'],
    ] as const) {
      const v = { adapter: quantile(lat.adapter, q), direct: quantile(lat.direct, q) };
      emit({
        bench: BENCH,
        metric: `${label}: custom-contract submit latency ${name} (transfer by ABI name), adapter`,
        value: v.adapter,
        unit: 'ms',
        ratio: v.adapter / v.direct,
        baseline: `JSON-RPC direct ${v.direct.toFixed(2)} ms`,
        ...(q === 0.5 && { goal: '<=' + (1.1 * v.direct).toFixed(2) }),
      });
    }

    process.stderr.write(`[${BENCH}] ${label}: throughput, ${WRITES} transfers per side in A D D A passes\n`);
    const rate = async (write: () => Promise<void>) => (await timed(WRITES / 2, IN_FLIGHT, write)).rate;
    const a1 = await rate(viaAdapter);
    const d1 = await rate(direct);
    const d2 = await rate(direct);
    const a2 = await rate(viaAdapter);
    const tps = { adapter: (a1 + a2) / 2, direct: (d1 + d2) / 2 };
    emit({
      bench: BENCH,
      metric: `${label}: custom-contract submit throughput, ${IN_FLIGHT} in flight, adapter`,
      value: tps.adapter,
      unit: 'tx/s',
      ratio: tps.adapter / tps.direct,
      baseline: `JSON-RPC direct ${tps.direct.toFixed(1)} tx/s (passes: adapter ${a1.toFixed(1)}, ${a2.toFixed(1)}; direct ${d1.toFixed(1)}, ${d2.toFixed(1)})`,
      goal: '>=' + (0.9 * tps.direct).toFixed(1),
    });

    // Every transfer measured moved one unit: the chain itself (bare JSON-RPC) must say so.
    const moved = (await sample.reader(devnet.network).balance(app, receiver)) - before;
    const expected = BigInt(2 * ROUNDS + 2 * WRITES);
    if (moved !== expected) throw new Error(`the chain moved ${moved} units during the measurement, not ${expected}`);

    const evaluateRate = async (read: () => Promise<void>) => {
      const t = performance.now();
      for (let i = 0; i < READS; i++) await read();
      return READS / ((performance.now() - t) / 1000);
    };
    const expectBalance = await sample.reader(devnet.network).balance(app, holder);
    const adapterRead = async () => {
      const got = sample.balanceOf((await adapter!.gateway.evaluate({ app, ...sample.balance(holder) })).result);
      if (got !== expectBalance) throw new Error(`adapter: balanceOf ${got}, the chain holds ${expectBalance}`);
    };
    const directRead = async () => {
      const r = await rpc<{ status: number; output: string }>('call', [app.location.address, balanceData]);
      if (r.status !== 0 || BigInt(coder.decode(['uint256'], r.output)[0] as bigint) !== expectBalance)
        throw new Error(`baseline: balanceOf failed (status ${r.status})`);
    };
    const ar1 = await evaluateRate(adapterRead);
    const dr1 = await evaluateRate(directRead);
    const dr2 = await evaluateRate(directRead);
    const ar2 = await evaluateRate(adapterRead);
    const reads = { adapter: (ar1 + ar2) / 2, direct: (dr1 + dr2) / 2 };
    emit({
      bench: BENCH,
      metric: `${label}: custom-contract evaluate (balanceOf) rate, adapter`,
      value: reads.adapter,
      unit: 'reads/s',
      ratio: reads.adapter / reads.direct,
      baseline: `JSON-RPC call direct ${reads.direct.toFixed(0)} reads/s`,
    });
  } finally {
    await adapter?.close();
    await devnet.stop();
  }
}

async function main(): Promise<void> {
  await benchMode('standard');
  await benchMode('sm');
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
