import { expect } from 'vitest';
import { defineCases } from '../case.js';
import type { SuiteContext } from '../context.js';
import type { AppRef } from '@bsn/contract';
import { bytes, text } from '@bsn/contract/testing';
import { expectBsnError } from '../expect-error.js';
import { assertOnChain } from './gateway.js';

const utf8Length = (s: string) => Buffer.byteLength(s, 'utf8');

function put(ctx: SuiteContext, app: AppRef, key: string, value: Uint8Array | string) {
  return ctx.adapter.kv.put(
    { app, key, value: typeof value === 'string' ? bytes(value) : value, requestId: ctx.unique('req') },
    ctx.member.signer,
  );
}

/** Byte-wise order of UTF-8 keys, the order the contract promises for `list`. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export const presetKvCases = defineCases([
  {
    id: 'KV-001',
    title: 'put then get returns the same bytes and the writing transaction',
    level: 'MUST',
    capability: 'kv.preset',
    async run(ctx) {
      const app = await ctx.newApp();
      const key = ctx.unique('k');
      const value = Uint8Array.from([0, 1, 2, 255, 254, 10, 13, 0]);
      const receipt = await put(ctx, app, key, value);
      const entry = await ctx.adapter.kv.get(app, key);
      expect(entry).not.toBeNull();
      expect(Array.from(entry!.value)).toEqual(Array.from(value));
      expect(entry!.key).toBe(key);
      expect(entry!.txId).toBe(receipt.txId);
      expect(entry!.block).toBe(receipt.block.number);
      await assertOnChain(ctx, receipt);
      if (ctx.chain)
        expect(entry!.block, 'the entry names the block the chain put its write in').toBe(
          (await ctx.chain.transaction(entry!.txId))?.block,
        );
    },
  },
  {
    id: 'KV-002',
    title: 'a key never written reads as null, and its history is empty',
    level: 'MUST',
    capability: 'kv.preset',
    async run(ctx) {
      const app = await ctx.newApp();
      const key = ctx.unique('absent');
      expect(await ctx.adapter.kv.get(app, key)).toBeNull();
      expect(await ctx.adapter.kv.history(app, key)).toEqual([]);
    },
  },
  {
    id: 'KV-003',
    title: 'delete removes a key; deleting a missing key is NOT_FOUND and writes nothing',
    level: 'MUST',
    capability: 'kv.preset',
    async run(ctx) {
      const app = await ctx.newApp();
      const key = ctx.unique('k');
      await put(ctx, app, key, 'doomed');
      await ctx.adapter.kv.delete({ app, key, requestId: ctx.unique('req') }, ctx.member.signer);
      expect(await ctx.adapter.kv.get(app, key)).toBeNull();
      const missing = ctx.unique('missing');
      await expectBsnError(ctx.adapter.kv.delete({ app, key: missing, requestId: ctx.unique('req') }, ctx.member.signer), 'NOT_FOUND', {
        what: 'delete of a missing key',
      });
      expect(await ctx.adapter.kv.history(app, missing)).toEqual([]);
      await expectBsnError(ctx.adapter.kv.delete({ app, key, requestId: ctx.unique('req') }, ctx.member.signer), 'NOT_FOUND', {
        what: 'delete of a deleted key',
      });
    },
  },
  {
    id: 'KV-004',
    title: 'history lists every write oldest first, deletes as null, with transaction ids and times',
    level: 'MUST',
    capability: 'kv.preset',
    async run(ctx) {
      const app = await ctx.newApp();
      const key = ctx.unique('k');
      const r1 = await put(ctx, app, key, 'one');
      const r2 = await put(ctx, app, key, 'two');
      const r3 = await ctx.adapter.kv.delete({ app, key, requestId: ctx.unique('req') }, ctx.member.signer);
      const r4 = await put(ctx, app, key, 'three');
      const history = await ctx.adapter.kv.history(app, key);
      expect(history.map((h) => h.txId)).toEqual([r1.txId, r2.txId, r3.txId, r4.txId]);
      expect(history.map((h) => (h.value === null ? null : text(h.value)))).toEqual(['one', 'two', null, 'three']);
      expect(history.map((h) => h.block)).toEqual([r1, r2, r3, r4].map((r) => r.block.number));
      for (const h of history) expect(h.timestamp).toBeGreaterThan(Date.UTC(2020, 0, 1));
      if (ctx.chain) {
        for (const h of history) {
          const onChain = await ctx.chain.transaction(h.txId);
          expect(onChain?.block, `history entry ${h.txId} names the block the chain put it in`).toBe(h.block);
          expect(Math.abs(h.timestamp - onChain!.timestampMs), `history time of ${h.txId} is the chain's`).toBeLessThanOrEqual(1);
        }
      }
    },
  },
  {
    id: 'KV-005',
    title: 'list by prefix returns live keys in byte order, and pages cover all of them once',
    level: 'MUST',
    capability: 'kv.preset',
    async run(ctx) {
      const app = await ctx.newApp();
      const base = ctx.unique('p');
      const prefix = base + '/';
      const keys = ['b', 'a', 'c/1', 'c', 'Z', 'a0', 'é', 'd'].map((k) => prefix + k);
      for (const key of keys) await put(ctx, app, key, key);
      // Outside the prefix on both sides: '.' sorts just before '/', '0' just after (a range without an upper bound lists it).
      await put(ctx, app, base + '.', 'not listed');
      await put(ctx, app, base + '0', 'not listed');
      await put(ctx, app, base + '0/x', 'not listed');
      await ctx.adapter.kv.delete({ app, key: prefix + 'c', requestId: ctx.unique('req') }, ctx.member.signer);
      const live = keys.filter((k) => k !== prefix + 'c').sort(byteOrder);

      const all = await ctx.adapter.kv.list(app, prefix);
      expect(all.entries.map((e) => e.key)).toEqual(live);
      expect(text(all.entries[0]!.value)).toBe(live[0]);

      // Page sizes that divide the 7 live keys and ones that leave a short last page.
      for (const limit of [1, 2, 3, 7, 8]) {
        const paged: string[] = [];
        let cursor: string | undefined;
        for (let i = 0; i < 20; i++) {
          const page = await ctx.adapter.kv.list(app, prefix, { limit, cursor });
          expect(page.entries.length).toBeLessThanOrEqual(limit);
          // a cursor promises more: the page it leads to is never empty
          if (cursor) expect(page.entries.length, `the page after a cursor (limit ${limit}) has entries`).toBeGreaterThan(0);
          paged.push(...page.entries.map((e) => e.key));
          cursor = page.cursor;
          if (!cursor) break;
        }
        expect(paged, `pages of ${limit} cover every key exactly once`).toEqual(live);
      }
    },
  },
  {
    id: 'KV-006',
    title: 'unicode keys round-trip exactly and sort byte-wise',
    level: 'MUST',
    capability: 'kv.preset',
    async run(ctx) {
      const app = await ctx.newApp();
      const prefix = ctx.unique('u') + ':';
      // Precomposed and decomposed é are different keys: no normalisation happens.
      const keys = ['区块链', '🙂', 'e\u0301', '\u00e9', 'ключ', 'a b', '"quoted"'].map((k) => prefix + k);
      for (const key of keys) await put(ctx, app, key, `value of ${key}`);
      for (const key of keys) expect(text((await ctx.adapter.kv.get(app, key))!.value)).toBe(`value of ${key}`);
      const listed = (await ctx.adapter.kv.list(app, prefix)).entries.map((e) => e.key);
      expect(listed).toEqual([...keys].sort(byteOrder));
    },
  },
  {
    id: 'KV-007',
    title: 'a value of exactly the declared maximum size round-trips; one byte more is INVALID_INPUT',
    level: 'MUST',
    capability: 'kv.preset',
    async run(ctx) {
      const app = await ctx.newApp();
      const max = ctx.description.limits.maxValueBytes;
      const big = Uint8Array.from({ length: max }, (_, i) => (i * 31 + 7) & 0xff);
      const key = ctx.unique('big');
      await put(ctx, app, key, big);
      const back = await ctx.adapter.kv.get(app, key);
      expect(back!.value.length).toBe(max);
      expect(Buffer.from(back!.value).equals(Buffer.from(big))).toBe(true);
      const tooBig = ctx.unique('too-big');
      await expectBsnError(put(ctx, app, tooBig, new Uint8Array(max + 1)), 'INVALID_INPUT', {
        field: '/value',
        what: 'a value one byte over the limit',
      });
      expect(await ctx.adapter.kv.get(app, tooBig)).toBeNull();
    },
  },
  {
    id: 'KV-008',
    title: 'empty keys, keys with U+0000 and keys over the limit are INVALID_INPUT naming /key',
    level: 'MUST',
    capability: 'kv.preset',
    async run(ctx) {
      const app = await ctx.newApp();
      const maxKey = ctx.description.limits.maxKeyBytes;
      const longest = 'k'.repeat(maxKey);
      await put(ctx, app, longest, 'fits');
      expect(text((await ctx.adapter.kv.get(app, longest))!.value)).toBe('fits');
      for (const [bad, why] of [
        ['', 'an empty key'],
        ['a\u0000b', 'a key with U+0000'],
        ['k'.repeat(maxKey + 1), 'a key one byte over the limit'],
      ] as const) {
        await expectBsnError(put(ctx, app, bad, 'x'), 'INVALID_INPUT', { field: '/key', what: `put with ${why}` });
      }
      // Multi-byte: the limit counts UTF-8 bytes, not characters.
      const wide = '区'.repeat(Math.floor(maxKey / 3) + 1);
      expect(utf8Length(wide)).toBeGreaterThan(maxKey);
      await expectBsnError(put(ctx, app, wide, 'x'), 'INVALID_INPUT', { field: '/key', what: 'a key over the limit in UTF-8 bytes' });
      await expectBsnError(ctx.adapter.kv.get(app, ''), 'INVALID_INPUT', { field: '/key', what: 'get of an empty key' });
    },
  },
  {
    id: 'KV-009',
    title: 'an empty value is INVALID_INPUT (Fabric would store it as a delete) and writes nothing',
    level: 'MUST',
    capability: 'kv.preset',
    async run(ctx) {
      const app = await ctx.newApp();
      const key = ctx.unique('k');
      await expectBsnError(put(ctx, app, key, new Uint8Array(0)), 'INVALID_INPUT', { field: '/value', what: 'an empty value' });
      expect(await ctx.adapter.kv.history(app, key)).toEqual([]);
    },
  },
  {
    id: 'KV-010',
    title: 'list with an empty prefix returns every live key of the app',
    level: 'SHOULD',
    capability: 'kv.preset',
    async run(ctx) {
      const app = await ctx.newApp();
      const keys = [ctx.unique('x'), ctx.unique('y')];
      for (const key of keys) await put(ctx, app, key, 'v');
      const listed = (await ctx.adapter.kv.list(app, '')).entries.map((e) => e.key);
      expect(listed).toEqual([...keys].sort(byteOrder));
    },
  },
]);
