import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PRESET_EVENTS, isBsnError, type AppInfo, type ChainAccount, type ChainEvent, type Signer } from '@bsn/contract';
import { bytes, text, unique } from '@bsn/contract/testing';
import { GethDevnet, actor, connect, rpc, type StartedDevnet } from './__fixtures__/chains.js';
import type { EthereumAdapter } from './adapter.js';
import { LIMITS } from './limits.js';

// The same adapter against a real geth --dev node (built from the Go module proxy by the
// bootstrap). Skipped, with the reason printed, where geth is not built.
const availability = await new GethDevnet().available();
if (!availability.ok) console.warn(`[adapter-ethereum] geth tests skipped: ${availability.reason}`);

describe.skipIf(!availability.ok)('on geth --dev', () => {
  let devnet: StartedDevnet;
  let adapter: EthereumAdapter;
  let admin: { signer: Signer; account: ChainAccount };
  let member: { signer: Signer; account: ChainAccount };
  let app: AppInfo;

  beforeAll(async () => {
    devnet = await new GethDevnet().start();
    adapter = await connect(devnet);
    [admin, member] = await Promise.all([actor(adapter), actor(adapter)]);
    app = await adapter.lifecycle.create(
      {
        appId: unique('geth'),
        name: 'geth',
        framework: 'ethereum',
        mode: 'consortium',
        placement: 'shared',
        contract: { kind: 'preset-kv' },
        members: [member.account],
      },
      admin.signer,
    );
  });
  afterAll(async () => {
    await adapter?.close();
    await devnet?.stop();
  });

  test('health names geth; the registry is found again by a second adapter', async () => {
    const health = await adapter.gateway.health();
    expect(health.ok).toBe(true);
    expect(health.node).toMatch(/^Geth\//);
    const second = await connect(devnet);
    try {
      expect(second.registryAddress).toBe(adapter.registryAddress);
      expect(await second.lifecycle.get(app)).toEqual(await adapter.lifecycle.get(app));
    } finally {
      await second.close();
    }
  });

  test('puts, idempotency, reverts with reasons, history and list behave as on anvil', async () => {
    const key = unique('k');
    const requestId = unique('req');
    const first = await adapter.kv.put({ app, key, value: bytes('one'), requestId }, member.signer);
    expect((await adapter.kv.put({ app, key, value: bytes('one'), requestId }, member.signer)).txId).toBe(first.txId);
    const conflict = await adapter.kv.put({ app, key, value: bytes('two'), requestId }, member.signer).catch((e: unknown) => e);
    expect(isBsnError(conflict, 'CONFLICT')).toBe(true);
    const outsider = await actor(adapter);
    const refused = await adapter.kv
      .put({ app, key, value: bytes('x'), requestId: unique('req') }, outsider.signer)
      .catch((e: unknown) => e);
    expect(isBsnError(refused, 'UNAUTHORIZED') && refused.detail?.message).toContain('NotMember');
    const missing = await adapter.kv
      .delete({ app, key: unique('absent'), requestId: unique('req') }, member.signer)
      .catch((e: unknown) => e);
    expect(isBsnError(missing, 'NOT_FOUND')).toBe(true);
    await adapter.kv.delete({ app, key, requestId: unique('req') }, member.signer);
    expect((await adapter.kv.history(app, key)).map((h) => h.value && text(h.value))).toEqual(['one', null]);
    const raw = await rpc<{ blockHash: string }>(devnet, 'eth_getTransactionReceipt', [first.txId]);
    expect(raw.blockHash).toBe(first.block.hash);
  });

  test('concurrent submits from one signer all commit', async () => {
    const keys = Array.from({ length: 20 }, () => unique('k'));
    const receipts = await Promise.all(
      keys.map((key) => adapter.kv.put({ app, key, value: bytes(key), requestId: unique('req') }, admin.signer)),
    );
    expect(new Set(receipts.map((r) => r.txId)).size).toBe(20);
    const listed = (await adapter.kv.list(app, '')).entries.map((e) => e.key);
    expect(listed).toEqual(expect.arrayContaining(keys));
  });

  test('a maximal value fits a geth --dev block', async () => {
    const block = await rpc<{ gasLimit: string }>(devnet, 'eth_getBlockByNumber', ['latest', false]);
    const big = new Uint8Array(LIMITS.maxValueBytes).fill(0xab);
    const key = unique('big');
    const receipt = await adapter.kv.put({ app, key, value: big, requestId: unique('req') }, member.signer);
    const raw = await rpc<{ gasUsed: string }>(devnet, 'eth_getTransactionReceipt', [receipt.txId]);
    expect(Number(raw.gasUsed)).toBeLessThan(Number(block.gasLimit));
    expect((await adapter.kv.get(app, key))!.value).toEqual(big);
  });

  test('user-key mode and events', async () => {
    const key = unique('k');
    const prepared = await adapter.gateway.prepare(
      { app, method: 'put', args: [key, bytes('signed by client')], requestId: unique('req') },
      { publicKey: member.signer.publicKey, algorithm: 'secp256k1' },
    );
    const signature = await member.signer.signDigest(Buffer.from(prepared.digest.slice(2), 'hex'));
    const receipt = await adapter.gateway.submitPrepared(prepared, signature);
    const controller = new AbortController();
    const seen: ChainEvent[] = [];
    const timer = setTimeout(() => controller.abort(), 5_000);
    for await (const e of adapter.gateway.events({ app, name: PRESET_EVENTS.put, signal: controller.signal })) {
      seen.push(e);
      if (e.txId === receipt.txId) break;
    }
    clearTimeout(timer);
    expect(seen.at(-1)?.txId).toBe(receipt.txId);
    expect(text(seen.at(-1)!.payload)).toBe(key);
  });
});
