import { describe, expect, test } from 'vitest';
import { isBsnError, type AppInfo, type ChainEvent, type Checkpoint } from '@bsn/contract';
import { bytes, takeEvents, text, unique } from '@bsn/contract/testing';
import { eventStream, type EventStreamDeps } from './events.js';
import { newApp, useFabricNetwork } from './__fixtures__/network.js';

const fabric = useFabricNetwork({ actors: ['admin', 'member'] });

/** Reads until `count` events arrived or `ms` passed, then stops the stream. */
const take = (app: AppInfo, count: number, after?: Checkpoint, name?: string, ms = 5_000): Promise<ChainEvent[]> =>
  takeEvents(fabric.org1.gateway, { app, ...(after && { after }), ...(name && { name }) }, count, ms);

const cmp = (a: Checkpoint, b: Checkpoint) => a.block - b.block || a.index - b.index;

describe('events requests (no network)', () => {
  test('are checked before anything is read: an empty name filter is refused, not read as "all"', async () => {
    const refusal = (request: unknown) =>
      eventStream({} as EventStreamDeps, request as never)
        .next()
        .then(
          () => 'no refusal',
          (e: { code?: string; field?: string }) => `${e.code}${e.field ? ` ${e.field}` : ''}`,
        );
    expect(await refusal({ app: { appId: 'a' }, name: '' })).toBe('INVALID_INPUT /name');
    expect(await refusal({ app: { appId: 'a' }, name: 7 })).toBe('INVALID_INPUT /name');
    expect(await refusal({ app: { appId: 'a' }, after: { block: -1, index: 0 } })).toBe('INVALID_INPUT /after/block');
    expect(await refusal({ app: {} })).toBe('INVALID_INPUT /app/appId');
    expect(await refusal(null)).toBe('INVALID_INPUT');
  });
});

describe('Fabric chaincode events', () => {
  test('events sharing a block get running indexes; resuming after any of them yields exactly the rest', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const app = await newApp(fabric.org1, fabric.actors.admin, [fabric.actors.member.account], 'ev');
    const other = await newApp(fabric.org1, fabric.actors.admin, [fabric.actors.member.account], 'ev-other');
    // Concurrent writes of two apps: the orderer cuts them into few blocks (batch timeout 250 ms).
    const writes = Array.from({ length: 8 }, (_, i) => ({ app: i % 2 ? other : app, key: unique(`k${i}`) }));
    const receipts = await Promise.all(
      writes.map((w) =>
        fabric.org1.kv.put({ app: w.app, key: w.key, value: bytes('v'), requestId: unique('req') }, fabric.actors.member.signer),
      ),
    );
    const mine = writes.filter((w) => w.app === app).map((w) => w.key);
    const events = await take(app, mine.length);
    expect(events.map((e) => text(e.payload)).sort()).toEqual([...mine].sort());
    for (let i = 1; i < events.length; i++) expect(cmp(events[i - 1]!.checkpoint, events[i]!.checkpoint)).toBeLessThan(0);
    // Several writes landed in one block (the other app's events take indexes there too).
    const blocks = new Set(receipts.map((r) => r.block.number));
    expect(blocks.size).toBeLessThan(receipts.length);
    // Each receipt names its event with the very checkpoint the stream gives it.
    for (const e of events) {
      const r = receipts.find((x) => x.txId === e.txId)!;
      expect(r.events).toEqual([e]);
    }
    for (const [i, e] of events.entries()) {
      const rest = await take(app, events.length - i - 1, e.checkpoint, undefined, i === events.length - 1 ? 1_000 : 5_000);
      expect(
        rest.map((x) => x.txId),
        `after event ${i}`,
      ).toEqual(events.slice(i + 1).map((x) => x.txId));
    }
  });

  test('a live stream follows new blocks; the name filter keeps only kv.delete', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const app = await newApp(fabric.org1, fabric.actors.admin, [fabric.actors.member.account], 'live');
    const key = unique('k');
    const listening = take(app, 2);
    const deletes = take(app, 1, undefined, 'kv.delete');
    await new Promise((r) => setTimeout(r, 300));
    await fabric.org1.kv.put({ app, key, value: bytes('v'), requestId: unique('req') }, fabric.actors.member.signer);
    await fabric.org1.kv.delete({ app, key, requestId: unique('req') }, fabric.actors.member.signer);
    expect((await listening).map((e) => e.name)).toEqual(['kv.put', 'kv.delete']);
    const [del] = await deletes;
    expect(del).toMatchObject({ name: 'kv.delete', app: app.appId });
    expect(text(del!.payload)).toBe(key);
  });

  test('an unknown app is NOT_FOUND; a stream aborted before it starts ends at once', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const error = await (async () => {
      for await (const _ of fabric.org1.gateway.events({ app: { appId: unique('nope') } })) break;
    })().catch((e: unknown) => e);
    expect(isBsnError(error, 'NOT_FOUND')).toBe(true);
    const app = await newApp(fabric.org1, fabric.actors.admin, [], 'quiet');
    const controller = new AbortController();
    controller.abort();
    const got: ChainEvent[] = [];
    for await (const e of fabric.org1.gateway.events({ app, signal: controller.signal })) got.push(e);
    expect(got).toEqual([]);
  });
});
