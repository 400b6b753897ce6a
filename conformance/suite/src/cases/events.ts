import { expect } from 'vitest';
import { PRESET_EVENTS, type AppRef, type Checkpoint } from '@bsn/contract';
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
]);
