import { expect } from 'vitest';
import { PRESET_EVENTS, type AppRef, type ChainEvent, type Checkpoint } from '@bsn/contract';
import { bytes, takeEvents, text } from '@bsn/contract/testing';
import { defineCases } from '../case.js';
import type { SuiteContext } from '../context.js';
import { expectBsnError } from '../expect-error.js';

function compare(a: Checkpoint, b: Checkpoint): number {
  return a.block - b.block || a.index - b.index;
}

async function writeKeys(ctx: SuiteContext, app: AppRef, keys: string[]): Promise<void> {
  for (const key of keys) {
    await ctx.adapter.kv.put({ app, key, value: bytes(key), requestId: ctx.unique('req') }, ctx.admin.signer);
  }
}

export const eventCases = defineCases([
  {
    id: 'EV-001',
    title: 'events arrive in chain order, one per write, with strictly increasing checkpoints',
    level: 'MUST',
    capability: 'gateway.events',
    async run(ctx) {
      const app = await ctx.newApp();
      const keys = Array.from({ length: 5 }, () => ctx.unique('k'));
      await writeKeys(ctx, app, keys);
      const events = await takeEvents(ctx.adapter.gateway, { app }, keys.length + 1, 2_000);
      const puts = events.filter((e) => e.name === PRESET_EVENTS.put);
      expect(
        puts.map((e) => text(e.payload)),
        'one kv.put event per write, in order',
      ).toEqual(keys);
      for (let i = 1; i < events.length; i++) {
        expect(compare(events[i - 1]!.checkpoint, events[i]!.checkpoint), 'checkpoints strictly increase').toBeLessThan(0);
      }
      for (const e of events) expect(e.app).toBe(app.appId);
    },
  },
  {
    id: 'EV-002',
    title: 'a consumer that stops and resumes from its checkpoint misses nothing and sees nothing twice',
    level: 'MUST',
    capability: 'gateway.events',
    async run(ctx) {
      const app = await ctx.newApp();
      const keys = Array.from({ length: 6 }, () => ctx.unique('k'));
      await writeKeys(ctx, app, keys.slice(0, 3));
      const firstRun = await takeEvents(ctx.adapter.gateway, { app }, 2);
      expect(firstRun).toHaveLength(2);
      // The consumer is gone; more writes land while nobody listens.
      await writeKeys(ctx, app, keys.slice(3));
      const resumed = await takeEvents(ctx.adapter.gateway, { app, after: firstRun[1]!.checkpoint }, keys.length - 2);
      const all = [...firstRun, ...resumed].filter((e) => e.name === PRESET_EVENTS.put).map((e) => text(e.payload));
      expect(all, 'every write seen exactly once across the restart').toEqual(keys);
    },
  },
  {
    id: 'EV-003',
    title: 'a live consumer receives events of writes made after it subscribed',
    level: 'MUST',
    capability: 'gateway.events',
    async run(ctx) {
      const app = await ctx.newApp();
      const keys = [ctx.unique('k'), ctx.unique('k')];
      const listening = takeEvents(ctx.adapter.gateway, { app }, 2);
      await writeKeys(ctx, app, keys);
      const events = await listening;
      expect(events.map((e) => text(e.payload))).toEqual(keys);
      // A consumer that has caught up gets the event of each further write with no block after
      // it: the second write is made only once the first one's event arrived (a stream that
      // reads only blocks below the final head would wait for a block nobody makes).
      const abort = new AbortController();
      const stream = ctx.adapter.gateway.events({ app, after: events[1]!.checkpoint, signal: abort.signal })[Symbol.asyncIterator]();
      try {
        for (const key of [ctx.unique('k'), ctx.unique('k')]) {
          const next = stream.next();
          await writeKeys(ctx, app, [key]);
          const got = await Promise.race([next, new Promise<'late'>((ok) => setTimeout(() => ok('late'), 8_000))]);
          expect(
            got === 'late' ? 'no event within 8 s' : text((got.value as ChainEvent).payload),
            'the event of the newest final block',
          ).toBe(key);
        }
      } finally {
        abort.abort();
        void stream.return?.(undefined);
      }
    },
  },
  {
    id: 'EV-004',
    title: "events of one app never appear in another app's stream",
    level: 'MUST',
    capability: 'lifecycle.isolation',
    async run(ctx) {
      const [a, b] = [await ctx.newApp(), await ctx.newApp()];
      await writeKeys(ctx, a, [ctx.unique('only-a')]);
      const keyB = ctx.unique('only-b');
      await writeKeys(ctx, b, [keyB]);
      const events = await takeEvents(ctx.adapter.gateway, { app: b }, 5, 2_000);
      expect(events.map((e) => text(e.payload))).toEqual([keyB]);
    },
  },
  {
    id: 'EV-005',
    title: 'events carry the committing transaction id',
    level: 'MUST',
    capability: 'gateway.events',
    async run(ctx) {
      const app = await ctx.newApp();
      const receipt = await ctx.adapter.kv.put(
        { app, key: ctx.unique('k'), value: bytes('x'), requestId: ctx.unique('req') },
        ctx.admin.signer,
      );
      const [event] = await takeEvents(ctx.adapter.gateway, { app }, 1);
      expect(event?.txId).toBe(receipt.txId);
      expect(receipt.events.map((e) => e.name)).toContain(PRESET_EVENTS.put);
    },
  },
  {
    id: 'EV-006',
    title: 'a malformed events request is INVALID_INPUT naming the field; an empty name filter is refused, not read as "all"',
    level: 'MUST',
    capability: 'gateway.events',
    async run(ctx) {
      const app = await ctx.newApp();
      const first = (request: Parameters<typeof ctx.adapter.gateway.events>[0]) => takeEvents(ctx.adapter.gateway, request, 1, 2_000);
      await expectBsnError(first({ app, name: '' }), 'INVALID_INPUT', { field: '/name', what: 'an empty event name filter' });
      await expectBsnError(first({ app, name: 7 as unknown as string }), 'INVALID_INPUT', {
        field: '/name',
        what: 'a number as event name',
      });
      await expectBsnError(first({ app, after: { block: -1, index: 0 } }), 'INVALID_INPUT', {
        field: '/after/block',
        what: 'a negative checkpoint block',
      });
      await expectBsnError(first({ app: { appId: 'has spaces' } }), 'INVALID_INPUT', { field: '/app/appId', what: 'a malformed app id' });
    },
  },
  {
    id: 'EV-007',
    title: 'events of one block come in the order of their transactions in it, and a resume inside a block misses none of the rest',
    level: 'MUST',
    capability: 'gateway.events',
    async run(ctx) {
      const app = await ctx.newApp();
      const keys = Array.from({ length: 6 }, () => ctx.unique('k'));
      // Sent together, so a chain that batches (blocks on a clock, an orderer's batches) puts several in one block.
      const receipts = await Promise.all(
        keys.map((key) => ctx.adapter.kv.put({ app, key, value: bytes(key), requestId: ctx.unique('req') }, ctx.admin.signer)),
      );
      const events = (await takeEvents(ctx.adapter.gateway, { app }, keys.length, 4_000)).filter((e) => e.name === PRESET_EVENTS.put);
      expect(new Set(events.map((e) => e.txId)), 'one event per write').toEqual(new Set(receipts.map((r) => r.txId)));
      // Chain order: block, then the transaction's place in the block (read on the chain where the target allows).
      const placeOf = async (block: number, txId: string) => {
        const txIds = ctx.chain ? (await ctx.chain.block(block))?.txIds : (await ctx.adapter.gateway.block(block)).txIds;
        const place = txIds?.indexOf(txId) ?? -1;
        expect(place, `transaction ${txId} is in block ${block}`).toBeGreaterThanOrEqual(0);
        return place;
      };
      let previous: [number, number] | undefined;
      for (const e of events) {
        const at: [number, number] = [e.checkpoint.block, await placeOf(e.checkpoint.block, e.txId)];
        if (previous)
          expect(at[0] - previous[0] || at[1] - previous[1], 'events follow the chain order of their transactions').toBeGreaterThan(0);
        previous = at;
      }
      // A consumer that stopped after the first event of a block with several resumes with the second.
      const byBlock = new Map<number, typeof events>();
      for (const e of events) byBlock.set(e.checkpoint.block, [...(byBlock.get(e.checkpoint.block) ?? []), e]);
      const shared = [...byBlock.values()].find((group) => group.length >= 2);
      if (shared) {
        const resumed = await takeEvents(ctx.adapter.gateway, { app, after: shared[0]!.checkpoint }, 1);
        expect(resumed[0]?.txId, 'the event after a checkpoint inside a block is the next one of that block').toBe(shared[1]!.txId);
      }
    },
  },
  {
    id: 'EV-008',
    title: 'a name filter delivers exactly the events of that name',
    level: 'MUST',
    capability: 'gateway.events',
    async run(ctx) {
      const app = await ctx.newApp();
      const [kept, other] = [ctx.unique('k'), ctx.unique('k')];
      await writeKeys(ctx, app, [kept]);
      const deleted = await ctx.adapter.kv.delete({ app, key: kept, requestId: ctx.unique('req') }, ctx.admin.signer);
      await writeKeys(ctx, app, [other]);
      const deletes = await takeEvents(ctx.adapter.gateway, { app, name: PRESET_EVENTS.delete }, 3, 2_000);
      expect(
        deletes.map((e) => [e.name, e.txId]),
        'only the delete, once',
      ).toEqual([[PRESET_EVENTS.delete, deleted.txId]]);
      const puts = await takeEvents(ctx.adapter.gateway, { app, name: PRESET_EVENTS.put }, 3, 2_000);
      expect(
        puts.map((e) => text(e.payload)),
        'only the puts',
      ).toEqual([kept, other]);
    },
  },
]);
