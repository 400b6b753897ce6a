/**
 * A cross-chain call (#15) between two anvil chains that mine a block every second, through
 * three city nodes (attesters, t = 2, the certified Ethereum plugin confined; node 1 relays),
 * against the chains' own commit latencies measured in the same run, rounds alternating (ABBA):
 *  - latency sent → acknowledged (from the send committed on chain A to the ack committed on
 *    chain A: the delivery committed on chain B and the ack on chain A, plus what the relayer does
 *    between — evidence, block and interchain attestations from the peers, two transactions)
 *    against a plain write committed on chain A plus one on chain B, each by ethers directly
 *    (a 0-value transfer sent, then its receipt) — goal ≤ 1.3× that sum; and from the request
 *    (the send committed on A included) against three plain writes, on A, B and A again;
 *  - calls per second with 16 in flight, each from the request to its ack on chain A.
 * The node's view of a call is read from its registry (in process, every 10 ms), not over REST, so
 * polling costs the two shared cores nothing.
 */
import { JsonRpcProvider, Wallet, parseEther, toQuantity } from 'ethers';
import { BsnClient } from '@bsn/client';
import type { CityNode } from '@bsn/city-node';
import { encodePacketCall, toBase64 } from '@bsn/contract';
import { ALICE, CHAINS, startInterchainFleet, type InterchainFleet } from '../e2e/src/interchain/__fixtures__/interchain-fleet.js';
import { emit, quantile } from './report.js';
import { timed } from './timing.mjs';

const BENCH = 'interchain';
const BLOCK_SECONDS = 1;
const ROUNDS = 30;
const IN_FLIGHT = 16;
const LOADED_CALLS = 64;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** ethers on one chain with an account of its own (funded by anvil), sending plain writes. */
async function plainWriter(fleet: InterchainFleet, chain: (typeof CHAINS)[number]) {
  const { rpcUrl, chainId } = fleet.anvils[chain].endpoint as { rpcUrl: string; chainId: number };
  const provider = new JsonRpcProvider(rpcUrl, chainId, { staticNetwork: true, batchMaxCount: 1 });
  // As often as the adapters poll (the fleet's pollingIntervalMs): neither side waits longer to see a block.
  provider.pollingInterval = 50;
  const wallet = Wallet.createRandom(provider);
  await provider.send('anvil_setBalance', [wallet.address, toQuantity(parseEther('100'))]);
  return {
    provider,
    async write(): Promise<number> {
      const t = performance.now();
      const tx = await wallet.sendTransaction({ to: wallet.address, value: 0n });
      const receipt = await tx.wait(1, 60_000);
      if (receipt?.status !== 1) throw new Error(`a plain write on ${chain} failed`);
      return performance.now() - t;
    },
  };
}

async function main(): Promise<void> {
  process.stderr.write(`interchain bench: two anvils (a block every ${BLOCK_SECONDS} s), three city nodes…\n`);
  const fleet = await startInterchainFleet({ blockTime: BLOCK_SECONDS });
  const nodes: CityNode[] = [];
  try {
    for (let i = 0; i < 3; i++) nodes.push(await fleet.start(i));
    const relaying = nodes[0]!;
    const alice = new BsnClient({ baseUrl: relaying.restUrl, user: 'alice', algorithm: 'secp256r1', privateKey: ALICE.privateKey });
    await alice.createApp({ code: 'src', network: 'chain-a' });
    await alice.createApp({ code: 'dst', network: 'chain-b' });
    await alice.grant('src', 'dst', 'outgoing');
    await alice.grant('dst', 'src', 'incoming');
    const [a, b] = [await plainWriter(fleet, 'chain-a'), await plainWriter(fleet, 'chain-b')];

    let n = 0;
    const send = () => {
      const key = `bench-${++n}`;
      return alice.sendCall('src', {
        dstChain: 'chain-b',
        dstApp: 'dst',
        method: 'kv.put',
        payload: toBase64(encodePacketCall({ method: 'kv.put', key, value: new TextEncoder().encode(`value ${n}`) })),
        timeout: Date.now() + 600_000,
      });
    };
    const acknowledged = async (packetId: string) => {
      const end = Date.now() + 120_000;
      for (;;) {
        const call = await relaying.interchain!.store.get(packetId);
        if (call?.state === 'acknowledged') return;
        if (call && (call.state === 'closed' || call.state === 'timed-out')) throw new Error(`call ${packetId} ${call.state}`);
        if (Date.now() > end) throw new Error(`call ${packetId} not acknowledged in 120 s: ${call?.lastError ?? call?.state}`);
        await sleep(10);
      }
    };
    /** One call: [request → sent, sent → acknowledged] in ms. */
    const call = async (): Promise<[number, number]> => {
      const t0 = performance.now();
      const sent = await send();
      const t1 = performance.now();
      await acknowledged(sent.packetId);
      return [t1 - t0, performance.now() - t1];
    };
    /** Plain writes committed on A, on B, then on A again: [A + B, A + B + A] in ms. */
    const plain = async (): Promise<[number, number]> => {
      const two = (await a.write()) + (await b.write());
      return [two, two + (await a.write())];
    };

    process.stderr.write('interchain bench: warming up…\n');
    for (let i = 0; i < 3; i++) {
      await call();
      await plain();
    }
    const lat = { sentToAck: [] as number[], requestToAck: [] as number[], plain: [] as number[], plain3: [] as number[] };
    for (let i = 0; i < ROUNDS; i++) {
      // ABBA: neither side always meets the chains just after the other.
      const order = i % 2 === 0 ? (['call', 'plain'] as const) : (['plain', 'call'] as const);
      for (const side of order) {
        if (side === 'plain') {
          const [two, three] = await plain();
          lat.plain.push(two);
          lat.plain3.push(three);
        } else {
          const [toSent, toAck] = await call();
          lat.sentToAck.push(toAck);
          lat.requestToAck.push(toSent + toAck);
        }
      }
    }
    for (const [q, name] of [
      [0.5, 'p50'],
      [0.9, 'p90'],
    ] as const) {
      const ours = quantile(lat.sentToAck, q);
      const base = quantile(lat.plain, q);
      emit({
        bench: BENCH,
        metric: `cross-chain call latency ${name}, sent → acknowledged (anvil → anvil, ${BLOCK_SECONDS} s blocks)`,
        value: ours,
        unit: 'ms',
        ratio: ours / base,
        baseline: `a plain write committed on chain A + one on chain B, ethers: ${base.toFixed(0)} ms`,
        ...(q === 0.5 && { goal: '<=1.3', goalOn: 'ratio' }),
      });
    }
    // From "sent" the ack lands on a block of chain A counted from the send's own block, so that
    // latency comes in whole blocks of A; from the request every commit starts at a random phase,
    // as the baseline's do: three commits against three.
    const requestToAck = quantile(lat.requestToAck, 0.5);
    const plain3 = quantile(lat.plain3, 0.5);
    emit({
      bench: BENCH,
      metric: 'cross-chain call latency p50, request → acknowledged (the send committed on chain A included)',
      value: requestToAck,
      unit: 'ms',
      ratio: requestToAck / plain3,
      baseline: `plain writes committed on chain A, on chain B, on chain A again, ethers: ${plain3.toFixed(0)} ms`,
    });

    process.stderr.write(`interchain bench: ${LOADED_CALLS} calls, ${IN_FLIGHT} in flight…\n`);
    const loaded = await timed(LOADED_CALLS, IN_FLIGHT, call);
    emit({
      bench: BENCH,
      metric: `cross-chain calls per second, ${IN_FLIGHT} in flight (request → acknowledged)`,
      value: loaded.rate,
      unit: 'calls/s',
    });
    emit({
      bench: BENCH,
      metric: `cross-chain call latency p50 with ${IN_FLIGHT} in flight, request → acknowledged`,
      value: quantile(loaded.lat, 0.5),
      unit: 'ms',
    });
    a.provider.destroy();
    b.provider.destroy();
  } finally {
    for (const node of nodes) await node.stop().catch(() => {});
    await fleet.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
