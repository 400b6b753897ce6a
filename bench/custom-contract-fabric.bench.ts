/**
 * An app that brings its own chaincode (#19), through the Fabric adapter's generic gateway,
 * against @hyperledger/fabric-gateway calling the same chaincode directly, on one Fabric devnet,
 * in the same run. The app is the kit's sample token (samples/token v1) deployed by the adapter
 * (_lifecycle install/approve/commit, the chaincode served as a service by the adapter):
 *  - submit latency (p50, p99) of `transfer` by function name, ABBA rounds: adapter (member and
 *    frozen checks, endorse, submit, commit status on every endorsing peer, receipt with the
 *    chaincode's events from the committed block) vs direct (`submitAsync` + `getStatus`);
 *  - submit throughput, 16 transfers in flight, passes A D D A D A A D of 320 each after one
 *    untimed pass each — from 16 senders per side to 16 recipients (Fabric's MVCC check fails
 *    concurrent writes of one balance key, so one sender with 16 in flight measures conflicts,
 *    not the layer). Passes were A D D A of 160 (~1.5 s each), but passes of one side differed
 *    by up to 17 % within a run (blocks are cut at 10 transactions or 250 ms, so a pass is a
 *    handful of block rounds): longer and more passes, the same for both sides;
 *  - evaluate rate: `balanceOf` vs `evaluateTransaction('balanceOf')`, interleaved chunks.
 * Fairness: Org1's gateway peer on both sides; every sender an MSP identity the adapter issued
 * for its own P-256 key (the direct side signs with fabric-gateway's signer over that key); the
 * same chaincode, channel, function and arguments. Not alike, and left so: the adapter's write
 * returns once every peer that endorsed it has committed it (Org2's too, asked beside the
 * gateway peer) and its receipt is made from the committed block (a qscc read); the direct one
 * waits for the gateway peer's commit status only. The layer's cost includes both.
 * Goals from the issue: latency ratio ≤ 1.1, throughput ratio ≥ 0.9 (for the adapter layer).
 */
import { createPrivateKey, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { connect as connectGateway, hash, signers } from '@hyperledger/fabric-gateway';
import { BsnIdentity, type Adapter } from '@bsn/contract';
import factory from '@bsn/adapter-fabric';
import devnets, { presetDevnet, type FabricNetworkConfig } from '@bsn/adapter-fabric/devnets';
import { emit, quantile, silent } from './report.js';
import { mainThreadCpuMs, timed } from './timing.mjs';

const BENCH = 'custom-contract-fabric';
const note = (s: string) => process.stderr.write(`${s}\n`);
const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const ROUNDS = env('BENCH_FABRIC_ROUNDS', 40);
const IN_FLIGHT = 16;
const TOTAL = env('BENCH_FABRIC_TOTAL', 320);
const READS = env('BENCH_FABRIC_READS', 300);

/** A Node key object for the raw P-256 key the identity derived (fabric-gateway signs with it). */
function nodeKey(key: { privateKey: Uint8Array; publicKey: Uint8Array }) {
  const pub = Buffer.from(key.publicKey);
  return createPrivateKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      d: Buffer.from(key.privateKey).toString('base64url'),
      x: pub.subarray(1, 33).toString('base64url'),
      y: pub.subarray(33).toString('base64url'),
    },
    format: 'jwk',
  });
}

async function measure(network: FabricNetworkConfig, adapter: Adapter): Promise<void> {
  const sample = await devnets.tokenSample!();
  const identity = BsnIdentity.generate();
  const owner = identity.keyFor('fabric', 'secp256r1');
  const ownerAccount = await adapter.identity.provision(owner.signer);
  // A sender per slot and side, each paying a recipient of its own: two transfers in flight that
  // touch one balance key would fail Fabric's MVCC check, on either side.
  const senders = async (from: number) =>
    Promise.all(
      Array.from({ length: IN_FLIGHT }, async (_, i) => {
        const key = identity.keyFor('fabric', 'secp256r1', from + i);
        return {
          key,
          account: await adapter.identity.provision(key.signer),
          to: `${network.organizations[0]!.mspId}:${randomBytes(20).toString('hex')}`,
        };
      }),
    );
  const ours = await senders(1);
  const theirs = await senders(1 + IN_FLIGHT);
  note('  deploying the sample token through the adapter (_lifecycle)…');
  let t = performance.now();
  const app = await adapter.lifecycle.create(
    {
      appId: `bench-token-${Date.now()}`,
      name: 'bench token',
      framework: 'fabric',
      mode: 'consortium',
      placement: 'shared',
      contract: sample.v1(ownerAccount),
      members: ours.map((s) => s.account),
    },
    owner.signer,
  );
  note(`  deployed in ${((performance.now() - t) / 1000).toFixed(1)} s: ${app.location.channel}/${app.location.chaincode}`);
  let n = 0;
  const submit = (method: string, args: string[], signer = owner.signer) =>
    adapter.gateway.submit({ app, method, args, requestId: `bench-${++n}` }, signer);
  // Mints touch the total supply: one at a time.
  for (const s of [...ours, ...theirs]) await submit('mint', [s.account.id, '1000000000']);

  const org = network.organizations[0]!;
  const peer = org.peers[0]!;
  const client = new grpc.Client(peer.endpoint, grpc.credentials.createSsl(Buffer.from(peer.tlsRootCert)), {
    'grpc.ssl_target_name_override': peer.hostOverride,
  });
  const gateways = theirs.map((s) =>
    connectGateway({
      client,
      identity: { mspId: org.mspId, credentials: Buffer.from((s.account.attributes as { certificate: string }).certificate) },
      signer: signers.newPrivateKeySigner(nodeKey(s.key)),
      hash: hash.sha256,
    }),
  );
  try {
    const contracts = gateways.map((g) => g.getNetwork(app.location.channel!).getContract(app.location.chaincode!));
    // The direct side waits for the gateway peer only, so a sender's next transfer may be endorsed
    // by Org2's peer before it committed the last one: the gateway refuses the mismatch (seen once,
    // in a run slowed by --cpu-prof). A client of the SDK endorses again; the time counts, and the
    // number is printed. The adapter waits for Org2 instead (endorser-commits.ts).
    const mismatch = { direct: 0 };
    const disagree = (error: unknown) =>
      JSON.stringify((error as { details?: unknown }).details ?? '').includes('ProposalResponsePayloads do not match');
    const direct = async (_i = 0, slot = 0): Promise<void> => {
      let commit;
      try {
        commit = await contracts[slot]!.submitAsync('transfer', { arguments: [theirs[slot]!.to, '1'] });
      } catch (error) {
        if (!disagree(error) || ++mismatch.direct > 20) throw error;
        return direct(_i, slot);
      }
      const status = await commit.getStatus();
      if (!status.successful) throw new Error(`baseline transfer ${commit.getTransactionId()} invalid (code ${status.code})`);
    };
    const viaAdapter = async (_i = 0, slot = 0) => {
      await submit('transfer', [ours[slot]!.to, '1'], ours[slot]!.key.signer);
    };
    for (let i = 0; i < 5; i++) {
      await viaAdapter();
      await direct();
    }

    const lat = { adapter: [] as number[], direct: [] as number[] };
    for (let i = 0; i < ROUNDS; i++) {
      const order = i % 2 === 0 ? (['adapter', 'direct'] as const) : (['direct', 'adapter'] as const);
      for (const side of order) {
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
        metric: `Fabric custom-contract submit latency ${name} (sample token transfer by name), adapter`,
        value: v.adapter,
        unit: 'ms',
        ratio: v.adapter / v.direct,
        baseline: `fabric-gateway direct ${v.direct.toFixed(1)} ms`,
        ...(q === 0.5 && { goal: `<=${(1.1 * v.direct).toFixed(1)}` }),
      });
    }

    // Seconds per pass, and what it cost the CPUs: the peers, orderer, chaincode server and this
    // process share two cores, so CPU per transaction is where one side's rate goes.
    const pass = async (write: (i: number, slot: number) => Promise<void>) => {
      const before = mainThreadCpuMs();
      const r = await timed(TOTAL, IN_FLIGHT, write);
      const after = mainThreadCpuMs();
      const cpu = before !== undefined && after !== undefined ? ((after - before) / TOTAL).toFixed(2) : '?';
      const machine = r.machineMs !== undefined ? r.machineMs.toFixed(1) : '?';
      return { seconds: TOTAL / r.rate, cpu: `CPU per tx: machine ${machine} ms, this process's main thread ${cpu} ms` };
    };
    await pass(viaAdapter);
    await pass(direct);
    const sum = { adapter: 0, direct: 0 };
    const passes = ['adapter', 'direct', 'direct', 'adapter', 'direct', 'adapter', 'adapter', 'direct'] as const;
    for (const side of passes) {
      const { seconds, cpu } = await pass(side === 'adapter' ? viaAdapter : direct);
      sum[side] += seconds;
      note(`  throughput pass ${side}: ${(TOTAL / seconds).toFixed(1)} tx/s (${cpu})`);
    }
    const tps = { adapter: ((passes.length / 2) * TOTAL) / sum.adapter, direct: ((passes.length / 2) * TOTAL) / sum.direct };
    emit({
      bench: BENCH,
      metric: `Fabric custom-contract submit throughput, ${IN_FLIGHT} in flight, adapter`,
      value: tps.adapter,
      unit: 'tx/s',
      ratio: tps.adapter / tps.direct,
      baseline: `fabric-gateway direct ${tps.direct.toFixed(1)} tx/s`,
      goal: `>=${(0.9 * tps.direct).toFixed(1)}`,
    });
    if (mismatch.direct > 0) note(`  direct transfers endorsed again after Org2's peer answered from older state: ${mismatch.direct}`);

    const time = { adapter: 0, direct: 0 };
    const CHUNK = 50;
    for (let done = 0; done < READS; done += CHUNK) {
      t = performance.now();
      for (let i = 0; i < CHUNK; i++) await adapter.gateway.evaluate({ app, method: 'balanceOf', args: [ours[0]!.account.id] });
      time.adapter += performance.now() - t;
      t = performance.now();
      for (let i = 0; i < CHUNK; i++) await contracts[0]!.evaluateTransaction('balanceOf', ours[0]!.account.id);
      time.direct += performance.now() - t;
    }
    const reads = Math.ceil(READS / CHUNK) * CHUNK;
    const rate = { adapter: reads / (time.adapter / 1000), direct: reads / (time.direct / 1000) };
    emit({
      bench: BENCH,
      metric: 'Fabric custom-contract evaluate (balanceOf) rate, adapter',
      value: rate.adapter,
      unit: 'reads/s',
      ratio: rate.adapter / rate.direct,
      baseline: `evaluateTransaction('balanceOf') ${rate.direct.toFixed(0)} reads/s`,
    });
  } finally {
    for (const g of gateways) g.close();
    client.close();
  }
}

async function main(): Promise<void> {
  const devnet = presetDevnet();
  const available = await devnet.available();
  if (!available.ok) {
    note(`${BENCH} bench skipped: ${available.reason}`);
    return;
  }
  const started = await devnet.start();
  const dataDir = mkdtempSync(join(tmpdir(), 'bsn-bench-cc-fabric-'));
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
  // fabric-gateway keeps each peer's own refusal in `details`.
  const details = (error as { details?: unknown }).details;
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}${details ? `\n${JSON.stringify(details)}` : ''}\n`);
  process.exit(1);
});
