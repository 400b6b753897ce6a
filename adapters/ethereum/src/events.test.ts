import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  PRESET_EVENTS,
  isBsnError,
  type AppInfo,
  type AppRef,
  type ChainAccount,
  type ChainEvent,
  type Checkpoint,
  type Signer,
} from '@bsn/contract';
import { bytes, takeEvents, text, unique } from '@bsn/contract/testing';
import { AnvilDevnet, actor, connect, type StartedDevnet } from './__fixtures__/chains.js';
import type { EthereumAdapter } from './adapter.js';

let devnet: StartedDevnet;
let adapter: EthereumAdapter;
let admin: { signer: Signer; account: ChainAccount };

beforeAll(async () => {
  devnet = await new AnvilDevnet().start();
  adapter = await connect(devnet);
  admin = await actor(adapter);
});
afterAll(async () => {
  await adapter?.close();
  await devnet?.stop();
});

const newApp = () =>
  adapter.lifecycle.create(
    {
      appId: unique('ev'),
      name: 'events',
      framework: 'ethereum',
      mode: 'consortium',
      placement: 'shared',
      contract: { kind: 'preset-kv' },
      members: [],
    },
    admin.signer,
  );

const take = (
  app: AppRef,
  count: number,
  { timeoutMs = 5_000, ...request }: { after?: Checkpoint; name?: string; timeoutMs?: number } = {},
): Promise<ChainEvent[]> => takeEvents(adapter.gateway, { app, ...request }, count, timeoutMs);

async function write(app: AppInfo, keys: string[]) {
  const receipts = [];
  for (const key of keys) receipts.push(await adapter.kv.put({ app, key, value: bytes(key), requestId: unique('req') }, admin.signer));
  return receipts;
}

const cmp = (a: Checkpoint, b: Checkpoint) => a.block - b.block || a.index - b.index;

test('events come in chain order with strictly increasing checkpoints and their tx ids; the stream ends on abort', async () => {
  const app = await newApp();
  const keys = Array.from({ length: 5 }, () => unique('k'));
  const receipts = await write(app, keys);
  await adapter.kv.delete({ app, key: keys[0]!, requestId: unique('req') }, admin.signer);
  const started = Date.now();
  const events = await take(app, 100, { timeoutMs: 500 });
  expect(Date.now() - started).toBeLessThan(3_000);
  expect(events.map((e) => [e.name, text(e.payload)])).toEqual([
    ...keys.map((k) => [PRESET_EVENTS.put, k]),
    [PRESET_EVENTS.delete, keys[0]],
  ]);
  expect(events.slice(0, 5).map((e) => e.txId)).toEqual(receipts.map((r) => r.txId));
  for (let i = 1; i < events.length; i++) expect(cmp(events[i - 1]!.checkpoint, events[i]!.checkpoint)).toBeLessThan(0);
  expect(events.every((e) => e.app === app.appId)).toBe(true);
  expect(receipts[0]!.events[0]!.checkpoint).toEqual(events[0]!.checkpoint);
});

test('resuming after any checkpoint misses nothing and repeats nothing, across writes made meanwhile', async () => {
  const app = await newApp();
  const keys = Array.from({ length: 6 }, () => unique('k'));
  await write(app, keys.slice(0, 3));
  const first = await take(app, 2);
  await write(app, keys.slice(3));
  const resumed = await take(app, 4, { after: first[1]!.checkpoint });
  expect([...first, ...resumed].map((e) => text(e.payload))).toEqual(keys);
  // Resuming from every checkpoint yields exactly the suffix.
  const all = await take(app, 6);
  for (let i = 0; i < all.length; i++) {
    const rest = await take(app, all.length - i - 1, { after: all[i]!.checkpoint, timeoutMs: i === all.length - 1 ? 300 : 5_000 });
    expect(rest.map((e) => e.checkpoint)).toEqual(all.slice(i + 1).map((e) => e.checkpoint));
  }
});

test('a live consumer receives later writes; name filters and isolation hold', async () => {
  const [a, b] = [await newApp(), await newApp()];
  const key = unique('k');
  const listening = take(b, 2);
  await new Promise((r) => setTimeout(r, 100));
  await write(a, [unique('only-a')]);
  await write(b, [key]);
  await adapter.kv.delete({ app: b, key, requestId: unique('req') }, admin.signer);
  const live = await listening;
  expect(live.map((e) => [e.app, e.name, text(e.payload)])).toEqual([
    [b.appId, PRESET_EVENTS.put, key],
    [b.appId, PRESET_EVENTS.delete, key],
  ]);
  const deletes = await take(b, 5, { name: PRESET_EVENTS.delete, timeoutMs: 500 });
  expect(deletes.map((e) => e.name)).toEqual([PRESET_EVENTS.delete]);
});

test('malformed requests are INVALID_INPUT and unknown apps NOT_FOUND, when iterated', async () => {
  const app = await newApp();
  const first = async (request: Parameters<EthereumAdapter['gateway']['events']>[0]) => {
    try {
      for await (const _ of adapter.gateway.events(request)) break;
    } catch (error) {
      return error;
    }
    return undefined;
  };
  const bad = await first({ app, after: { block: -5, index: 'x' as never } });
  expect(isBsnError(bad, 'INVALID_INPUT') && bad.field).toBe('/after/block');
  const unnamed = await first({ app, name: '' });
  expect(isBsnError(unnamed, 'INVALID_INPUT') && unnamed.field).toBe('/name');
  expect(isBsnError(await first({ app: { appId: 'no such app' } }), 'INVALID_INPUT')).toBe(true);
  expect(isBsnError(await first({ app: { appId: unique('missing') } }), 'NOT_FOUND')).toBe(true);
});
