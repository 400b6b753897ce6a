import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isBsnError, type AppInfo, type ChainAccount, type Signer } from '@bsn/contract';
import { bytes, text, unique } from '@bsn/contract/testing';
import { AnvilDevnet, actor, connect, rpc, type StartedDevnet } from './__fixtures__/chains.js';
import type { EthereumAdapter } from './adapter.js';
import { appInterface } from './abi.js';
import { LIMITS } from './limits.js';

let devnet: StartedDevnet;
let adapter: EthereumAdapter;
let member: { signer: Signer; account: ChainAccount };
let app: AppInfo;

beforeAll(async () => {
  devnet = await new AnvilDevnet().start();
  adapter = await connect(devnet);
  const admin = await actor(adapter);
  member = await actor(adapter);
  app = await adapter.lifecycle.create(
    {
      appId: unique('kv'),
      name: 'kv',
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

const put = (key: string, value: Uint8Array | string) =>
  adapter.kv.put({ app, key, value: typeof value === 'string' ? bytes(value) : value, requestId: unique('req') }, member.signer);
const del = (key: string) => adapter.kv.delete({ app, key, requestId: unique('req') }, member.signer);
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

async function failure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isBsnError(error)) throw new Error(`expected a typed error, got ${String(error)}`);
  return error;
}

describe('put, get, delete, history', () => {
  test('binary values round-trip with the writing tx; absent keys are null with empty history', async () => {
    const key = unique('k');
    const value = Uint8Array.from([0, 1, 2, 255, 254, 10, 13, 0]);
    const receipt = await put(key, value);
    expect(await adapter.kv.get(app, key)).toEqual({ key, value, txId: receipt.txId, block: receipt.block.number });
    expect(await adapter.kv.get(app, unique('absent'))).toBeNull();
    expect(await adapter.kv.history(app, unique('absent'))).toEqual([]);
  });

  test('delete removes; deleting a missing or deleted key is NOT_FOUND and writes nothing', async () => {
    const key = unique('k');
    await put(key, 'doomed');
    const receipt = await del(key);
    expect(receipt.events.map((e) => [e.name, text(e.payload)])).toEqual([['kv.delete', key]]);
    expect(await adapter.kv.get(app, key)).toBeNull();
    const missing = unique('missing');
    const error = await failure(del(missing));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.detail?.message).toContain('KeyNotFound');
    expect(await adapter.kv.history(app, missing)).toEqual([]);
    expect((await failure(del(key))).code).toBe('NOT_FOUND');
    expect(await adapter.kv.history(app, key)).toHaveLength(2);
  });

  test('history lists every write oldest first, deletes as null, with tx ids, blocks and block times', async () => {
    const key = unique('k');
    const r = [await put(key, 'one'), await put(key, 'two'), await del(key), await put(key, 'three')];
    const history = await adapter.kv.history(app, key);
    expect(history.map((h) => h.txId)).toEqual(r.map((x) => x.txId));
    expect(history.map((h) => (h.value === null ? null : text(h.value)))).toEqual(['one', 'two', null, 'three']);
    expect(history.map((h) => h.block)).toEqual(r.map((x) => x.block.number));
    expect(history.map((h) => h.timestamp)).toEqual(r.map((x) => x.timestamp));
  });

  test('history keeps several writes of one key in one block in order', async () => {
    const key = unique('k');
    await put(key, 'first');
    await rpc(devnet, 'evm_setAutomine', [false]);
    let receipts;
    try {
      const writes = Promise.all(
        [put(key, 'a'), put(key, 'b'), del(key), put(key, 'c')].map((p, i) => new Promise((r) => setTimeout(r, i * 20)).then(() => p)),
      );
      await new Promise((r) => setTimeout(r, 400));
      await rpc(devnet, 'evm_mine');
      receipts = await writes;
    } finally {
      await rpc(devnet, 'evm_setAutomine', [true]);
    }
    const history = await adapter.kv.history(app, key);
    expect(history.map((h) => (h.value === null ? null : text(h.value)))).toHaveLength(5);
    expect(new Set(receipts.map((x) => x.block.number)).size).toBe(1);
    // Chain order within the block is nonce order, which is submission order.
    expect(
      history
        .slice(1)
        .map((h) => h.txId)
        .sort(),
    ).toEqual(receipts.map((x) => x.txId).sort());
    expect(history[0]!.value && text(history[0]!.value)).toBe('first');
    expect(text((await adapter.kv.get(app, key))!.value)).toBe(text(history.at(-1)!.value!));
  });
});

describe('list', () => {
  test('live keys with the prefix in byte order; pages of 2 cover each exactly once', async () => {
    const prefix = unique('p') + '/';
    const keys = ['b', 'a', 'c/1', 'c', 'Z', 'a0', 'é', '区块链', '🙂', 'e\u0301'].map((k) => prefix + k);
    for (const key of keys) await put(key, key);
    await put(unique('other'), 'not listed');
    await del(prefix + 'c');
    const live = keys.filter((k) => k !== prefix + 'c').sort(byteOrder);
    const all = await adapter.kv.list(app, prefix);
    expect(all.entries.map((e) => e.key)).toEqual(live);
    expect(all.cursor).toBeUndefined();
    for (const e of all.entries) {
      expect(text(e.value)).toBe(e.key);
      expect(await adapter.kv.get(app, e.key)).toEqual(e);
    }
    const paged: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 20; i++) {
      const page = await adapter.kv.list(app, prefix, { limit: 2, cursor });
      expect(page.entries.length).toBeLessThanOrEqual(2);
      paged.push(...page.entries.map((e) => e.key));
      cursor = page.cursor;
      if (!cursor) break;
    }
    expect(paged).toEqual(live);
  });

  test('bad pages and cursors are INVALID_INPUT', async () => {
    const prefix = unique('q') + '/';
    await put(prefix + 'a', 'x');
    await put(prefix + 'b', 'x');
    const { cursor } = await adapter.kv.list(app, prefix, { limit: 1 });
    expect(cursor).toBeDefined();
    for (const bad of [
      adapter.kv.list(app, '', { limit: 0 }),
      adapter.kv.list(app, '', { limit: LIMITS.maxPageSize + 1 }),
      adapter.kv.list(app, '', { cursor: '!!not-a-cursor!!' }),
      adapter.kv.list(app, unique('elsewhere'), { cursor }),
      adapter.kv.list(app, 'a\u0000'),
    ])
      expect((await failure(bad)).code).toBe('INVALID_INPUT');
  });
});

describe('limits', () => {
  test('the contract enforces the limits describe() declares', async () => {
    const call = async (fn: string) =>
      BigInt(await rpc<string>(devnet, 'eth_call', [{ to: app.location.address, data: appInterface.encodeFunctionData(fn) }, 'latest']));
    expect(Number(await call('MAX_VALUE_BYTES'))).toBe(adapter.describe().limits.maxValueBytes);
    expect(Number(await call('MAX_KEY_BYTES'))).toBe(adapter.describe().limits.maxKeyBytes);
  });

  test('a maximal value round-trips within the gas budget; one byte more is INVALID_INPUT and writes nothing', async () => {
    const max = LIMITS.maxValueBytes;
    const big = Uint8Array.from({ length: max }, (_, i) => (i * 31 + 7) & 0xff || 1);
    const key = unique('big');
    const receipt = await put(key, big);
    expect(Buffer.from((await adapter.kv.get(app, key))!.value).equals(Buffer.from(big))).toBe(true);
    const raw = await rpc<{ gasUsed: string }>(devnet, 'eth_getTransactionReceipt', [receipt.txId]);
    // A maximal write takes under 12 % of a geth --dev block (11.5 M gas): see limits.ts.
    expect(Number(raw.gasUsed)).toBeLessThan(11_500_000 * 0.12);
    const tooBig = unique('too-big');
    const error = await failure(put(tooBig, new Uint8Array(max + 1)));
    expect([error.code, error.field]).toEqual(['INVALID_INPUT', '/value']);
    expect(await adapter.kv.get(app, tooBig)).toBeNull();
  });

  test('keys: the longest fits, empty / U+0000 / too long / lone surrogates are INVALID_INPUT at /key', async () => {
    const longest = 'k'.repeat(LIMITS.maxKeyBytes);
    await put(longest, 'fits');
    expect(text((await adapter.kv.get(app, longest))!.value)).toBe('fits');
    for (const bad of [
      '',
      'a\u0000b',
      'k'.repeat(LIMITS.maxKeyBytes + 1),
      '区'.repeat(Math.floor(LIMITS.maxKeyBytes / 3) + 1),
      'x\ud800',
    ]) {
      const error = await failure(put(bad, 'x'));
      expect([error.code, error.field]).toEqual(['INVALID_INPUT', '/key']);
    }
    for (const bad of [
      adapter.kv.get(app, ''),
      adapter.kv.history(app, ''),
      put(unique('k'), new Uint8Array(0)),
      adapter.kv.put({ app, key: unique('k'), value: 'str' as never, requestId: unique('req') }, member.signer),
    ]) {
      expect((await failure(bad)).code).toBe('INVALID_INPUT');
    }
    const error = await failure(adapter.kv.put({ app, key: unique('k'), value: bytes('v'), requestId: 'has spaces' }, member.signer));
    expect(error.field).toBe('/requestId');
  });
});
