import { afterAll, beforeAll, expect, test } from 'vitest';
import { isBsnError, type AppInfo, type ChainAccount, type ChainEvent, type Signer } from '@bsn/contract';
import { bytes, unique } from '@bsn/contract/testing';
import { AnvilDevnet, actor, connect, rpc, type StartedDevnet } from './__fixtures__/chains.js';
import type { EthereumAdapter } from './adapter.js';

const DEPTH = 3;
let devnet: StartedDevnet;
let adapter: EthereumAdapter;
let admin: { signer: Signer; account: ChainAccount };
let app: AppInfo;
let miner: NodeJS.Timeout | undefined;

const height = async () => Number(await rpc<string>(devnet, 'eth_blockNumber'));
/** anvil automines one block per transaction; finality needs blocks on top, so make them. */
const startMining = () => {
  miner = setInterval(() => void rpc(devnet, 'evm_mine').catch(() => undefined), 50);
};
const stopMining = () => clearInterval(miner);

beforeAll(async () => {
  devnet = await new AnvilDevnet().withConfirmations(DEPTH).start();
  adapter = await connect(devnet);
  startMining();
  admin = await actor(adapter);
  app = await adapter.lifecycle.create(
    {
      appId: unique('fin'),
      name: 'finality',
      framework: 'ethereum',
      mode: 'consortium',
      placement: 'shared',
      contract: { kind: 'preset-kv' },
      members: [],
    },
    admin.signer,
  );
});
afterAll(async () => {
  stopMining();
  await adapter?.close();
  await devnet?.stop();
});

test('describe() declares the configured depth', () => {
  expect(adapter.describe().finality).toEqual({ kind: 'probabilistic', depth: DEPTH });
});

test('a receipt is returned only once the block is DEPTH deep; reads and latest follow the final head', async () => {
  const key = unique('k');
  const receipt = await adapter.kv.put({ app, key, value: bytes('deep'), requestId: unique('req') }, admin.signer);
  expect(await height()).toBeGreaterThanOrEqual(receipt.block.number + DEPTH);
  expect((await adapter.gateway.block('latest')).number).toBeGreaterThanOrEqual(receipt.block.number);
  expect((await adapter.kv.get(app, key))?.txId).toBe(receipt.txId);
});

test('events only come from final blocks', async () => {
  stopMining();
  try {
    const key = unique('k');
    const sent = adapter.kv.put({ app, key, value: bytes('x'), requestId: unique('req') }, admin.signer);
    // Mined (automine) but not final: neither the receipt nor the event may appear.
    const seen: ChainEvent[] = [];
    const controller = new AbortController();
    const consuming = (async () => {
      for await (const e of adapter.gateway.events({ app, signal: controller.signal })) seen.push(e);
    })();
    await new Promise((r) => setTimeout(r, 400));
    expect(seen.filter((e) => e.name === 'kv.put')).toHaveLength(1); // the earlier, final write only
    expect(await adapter.kv.get(app, key)).toBeNull();
    await rpc(devnet, 'anvil_mine', ['0x' + DEPTH.toString(16)]);
    const receipt = await sent;
    await new Promise((r) => setTimeout(r, 300));
    controller.abort();
    await consuming;
    expect(seen.map((e) => e.txId)).toContain(receipt.txId);
  } finally {
    startMining();
  }
});

test('without new blocks the wait ends in a TIMEOUT that says why, and retrying with the same id is safe', async () => {
  stopMining();
  try {
    const requestId = unique('req');
    const request = { app, key: unique('k'), value: bytes('stuck'), requestId };
    const error = await adapter.gateway
      .submit({ app, method: 'put', args: [request.key, request.value], requestId, timeoutMs: 1_000 }, admin.signer)
      .catch((e: unknown) => e);
    expect(isBsnError(error, 'TIMEOUT')).toBe(true);
    expect((error as Error).message).toMatch(/confirmation/);
    startMining();
    const receipt = await adapter.kv.put(request, admin.signer);
    expect(receipt.txId).toBe((error as { txId?: string }).txId);
  } finally {
    stopMining();
    startMining();
  }
});
