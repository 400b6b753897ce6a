import { expect } from 'vitest';
import { PRESET_METHODS, type Receipt } from '@bsn/contract';
import { bytes, text } from '@bsn/contract/testing';
import { defineCases } from '../case.js';
import type { SuiteContext } from '../context.js';
import { expectBsnError } from '../expect-error.js';

/**
 * The receipt must describe a block that holds the tx, final at the declared depth: checked
 * through the adapter's own look-ups, and — where the target offers a reader — on the chain.
 */
export async function assertCommitted(ctx: SuiteContext, receipt: Receipt): Promise<void> {
  const { gateway } = ctx.adapter;
  expect(receipt.status).toBe('committed');
  const block = await gateway.block(receipt.block.number);
  expect(block.hash, 'receipt.block.hash is the hash of the block it names').toBe(receipt.block.hash);
  expect(block.txIds, 'the named block holds the transaction').toContain(receipt.txId);
  const tx = await gateway.transaction(receipt.txId);
  expect(tx.valid, `the ledger records the tx as valid (${tx.validationCode})`).toBe(true);
  expect(tx.block.number).toBe(receipt.block.number);
  // block('latest') is the newest *final* block (the contract), so the receipt's block is at or below it.
  const latest = await gateway.block('latest');
  expect(latest.number, "the receipt's block is final: at or below block('latest')").toBeGreaterThanOrEqual(receipt.block.number);
  await assertOnChain(ctx, receipt);
}

/** What the chain itself says of a receipt: its transaction, its block, and the depth on top of it. */
export async function assertOnChain(ctx: SuiteContext, receipt: Receipt): Promise<void> {
  const chain = ctx.chain;
  if (!chain) return;
  const onChain = await chain.transaction(receipt.txId);
  expect(onChain, `${chain.source} knows transaction ${receipt.txId}`).toBeDefined();
  expect(onChain!.block, 'the receipt names the block the chain put the transaction in').toBe(receipt.block.number);
  expect(onChain!.valid, 'the chain executed the transaction successfully').toBe(true);
  const block = await chain.block(receipt.block.number);
  expect(block?.hash, "the receipt's block hash is the chain's").toBe(receipt.block.hash);
  expect(block?.txIds, "the chain's block holds the transaction").toContain(receipt.txId);
  const depth = ctx.description.finality.kind === 'probabilistic' ? ctx.description.finality.depth : 0;
  expect(
    (await chain.head()) - receipt.block.number,
    `at least ${depth} block(s) on top of the receipt's, on the chain`,
  ).toBeGreaterThanOrEqual(depth);
}

export const gatewayCases = defineCases([
  {
    id: 'GW-001',
    title: 'submit returns a receipt only once the tx is committed at the declared finality',
    level: 'MUST',
    capability: 'gateway.submit',
    async run(ctx) {
      const app = await ctx.newApp();
      const key = ctx.unique('k');
      const receipt = await ctx.adapter.gateway.submit(
        { app, method: PRESET_METHODS.put, args: [key, bytes('v1')], requestId: ctx.unique('req') },
        ctx.admin.signer,
      );
      await assertCommitted(ctx, receipt);
      const seen = await ctx.adapter.kv.get(app, key);
      expect(seen && text(seen.value), 'the write is readable as soon as the receipt is returned').toBe('v1');
    },
  },
  {
    id: 'GW-002',
    title: 'the transaction id is stable: look-ups by it return the same transaction and block',
    level: 'MUST',
    capability: 'gateway.lookup',
    async run(ctx) {
      const app = await ctx.newApp();
      const receipt = await ctx.adapter.kv.put(
        { app, key: ctx.unique('k'), value: bytes('x'), requestId: ctx.unique('req') },
        ctx.admin.signer,
      );
      const first = await ctx.adapter.gateway.transaction(receipt.txId);
      const second = await ctx.adapter.gateway.transaction(receipt.txId);
      expect(first.txId).toBe(receipt.txId);
      expect(second).toEqual(first);
      expect(first.block).toEqual(receipt.block);
      // What the look-up says of the transaction is what the chain and the receipt say
      expect(first.valid, 'a committed write is valid').toBe(true);
      expect(first.validationCode, "the framework's validation code, verbatim").not.toBe('');
      expect(first.app, 'the app the transaction wrote to').toBe(app.appId);
      expect(first.method, 'the method the transaction called').toBe(PRESET_METHODS.put);
      const described = (events: typeof first.events) => events.map((e) => [e.app, e.name, e.txId, text(e.payload)]);
      expect(described(first.events), "the transaction's events are its receipt's").toEqual(described(receipt.events));
      if (ctx.chain) expect((await ctx.chain.transaction(receipt.txId))?.valid, 'valid as the chain recorded it').toBe(first.valid);
      await assertCommitted(ctx, receipt);
    },
  },
  {
    id: 'GW-003',
    title: 'submit is idempotent on the client request id: same receipt, one write',
    level: 'MUST',
    capability: 'gateway.submit',
    async run(ctx) {
      const app = await ctx.newApp();
      const key = ctx.unique('k');
      const request = { app, method: PRESET_METHODS.put, args: [key, bytes('once')], requestId: ctx.unique('req') };
      const first = await ctx.adapter.gateway.submit(request, ctx.admin.signer);
      const second = await ctx.adapter.gateway.submit(request, ctx.admin.signer);
      expect(second.txId, 'the second submit returns the first transaction').toBe(first.txId);
      expect(second.block).toEqual(first.block);
      const history = await ctx.adapter.kv.history(app, key);
      expect(
        history.map((h) => h.txId),
        'exactly one write happened',
      ).toEqual([first.txId]);
    },
  },
  {
    id: 'GW-004',
    title: 'a request id reused with different content is a conflict and writes nothing',
    level: 'MUST',
    capability: 'gateway.submit',
    async run(ctx) {
      const app = await ctx.newApp();
      const key = ctx.unique('k');
      const requestId = ctx.unique('req');
      await ctx.adapter.gateway.submit({ app, method: PRESET_METHODS.put, args: [key, bytes('a')], requestId }, ctx.admin.signer);
      await expectBsnError(
        ctx.adapter.gateway.submit({ app, method: PRESET_METHODS.put, args: [key, bytes('b')], requestId }, ctx.admin.signer),
        'CONFLICT',
        { what: 'same request id, different value' },
      );
      const entry = await ctx.adapter.kv.get(app, key);
      expect(entry && text(entry.value)).toBe('a');
      expect(await ctx.adapter.kv.history(app, key)).toHaveLength(1);
    },
  },
  {
    id: 'GW-005',
    title: 'a transaction the chain rejects gives a typed error that keeps the framework detail',
    level: 'MUST',
    capability: 'gateway.submit',
    async run(ctx) {
      const app = await ctx.newApp();
      const key = ctx.unique('k');
      const error = await expectBsnError(
        ctx.adapter.kv.put({ app, key, value: bytes('intruder'), requestId: ctx.unique('req') }, ctx.outsider.signer),
        'UNAUTHORIZED',
        { what: 'a write by a non-member' },
      );
      expect(error.detail?.framework, 'detail names the framework').toBe(ctx.description.framework);
      expect(String(error.detail?.message ?? '').length, "detail keeps the chain's own message").toBeGreaterThan(0);
      expect(await ctx.adapter.kv.get(app, key), 'nothing was written').toBeNull();
    },
  },
  {
    id: 'GW-006',
    title: 'evaluate reads through the contract and writes nothing',
    level: 'MUST',
    capability: 'gateway.evaluate',
    async run(ctx) {
      const app = await ctx.newApp();
      const key = ctx.unique('k');
      await ctx.adapter.kv.put({ app, key, value: bytes('read me'), requestId: ctx.unique('req') }, ctx.admin.signer);
      const before = await ctx.adapter.kv.history(app, key);
      const read = await ctx.adapter.gateway.evaluate({ app, method: PRESET_METHODS.get, args: [key] });
      expect(text(read.result)).toBe('read me');
      await expectBsnError(ctx.adapter.gateway.evaluate({ app, method: PRESET_METHODS.get, args: [ctx.unique('absent')] }), 'NOT_FOUND', {
        what: 'evaluate get of a missing key',
      });
      // A write method through evaluate must not write either.
      await ctx.adapter.gateway
        .evaluate({ app, method: PRESET_METHODS.put, args: [key, bytes('evaluated')] }, ctx.admin.signer)
        .catch(() => undefined);
      expect(await ctx.adapter.kv.history(app, key)).toEqual(before);
      expect(text((await ctx.adapter.kv.get(app, key))!.value)).toBe('read me');
    },
  },
  {
    id: 'GW-007',
    title: 'unknown blocks and transactions are NOT_FOUND',
    level: 'MUST',
    capability: 'gateway.lookup',
    async run(ctx) {
      const latest = await ctx.adapter.gateway.block('latest');
      await expectBsnError(ctx.adapter.gateway.block(latest.number + 1_000_000), 'NOT_FOUND', { what: 'a block far in the future' });
      // An id of this framework's shape that never happened: a real one with its hex tail replaced.
      const app = await ctx.newApp();
      const real = await ctx.adapter.kv.put(
        { app, key: ctx.unique('k'), value: bytes('x'), requestId: ctx.unique('req') },
        ctx.admin.signer,
      );
      const unknownTx = real.txId.replace(/[0-9a-fA-F]{16,}$/, (tail) => 'f'.repeat(tail.length));
      expect(unknownTx, "the adapter's tx ids end in at least 16 hex digits").not.toBe(real.txId);
      await expectBsnError(ctx.adapter.gateway.transaction(unknownTx), 'NOT_FOUND', { what: 'a transaction that never happened' });
    },
  },
  {
    id: 'GW-008',
    title: 'health reports the node, a height and a latency',
    level: 'MUST',
    capability: 'gateway.health',
    async run(ctx) {
      const app = await ctx.newApp();
      const receipt = await ctx.adapter.kv.put(
        { app, key: ctx.unique('k'), value: bytes('h'), requestId: ctx.unique('req') },
        ctx.admin.signer,
      );
      const health = await ctx.adapter.gateway.health();
      expect(health.ok).toBe(true);
      expect(health.node.length).toBeGreaterThan(0);
      // The latest height seen: it has seen the block of a write already committed, and nothing the chain has not made.
      expect(health.height, 'the height covers a block already committed').toBeGreaterThanOrEqual(receipt.block.number);
      if (ctx.chain) expect(health.height, `the height is one ${ctx.chain.source} has`).toBeLessThanOrEqual(await ctx.chain.head());
      expect(health.latencyMs).toBeGreaterThanOrEqual(0);
    },
  },
  {
    id: 'GW-009',
    title: 'user-key mode: a prepared transaction signed by the client commits; a forged signature is refused',
    level: 'MUST',
    capability: 'keys.user',
    async run(ctx) {
      const app = await ctx.newApp();
      const { gateway } = ctx.adapter;
      const account = { publicKey: ctx.member.signer.publicKey, algorithm: ctx.member.signer.algorithm };
      const forgedKey = ctx.unique('forged');
      const forged = await gateway.prepare(
        { app, method: PRESET_METHODS.put, args: [forgedKey, bytes('x')], requestId: ctx.unique('req') },
        account,
      );
      // Signed by another key that is itself a member (the admin): only the adapter's own check of
      // the signature against the prepared account can refuse it; the contract would accept the admin.
      const wrongSignature = await ctx.admin.signer.signDigest(hexToBytes(forged.digest));
      await expectBsnError(gateway.submitPrepared(forged, wrongSignature), 'UNAUTHORIZED', {
        what: "a prepared tx signed by another member's key",
      });
      expect(await ctx.adapter.kv.get(app, forgedKey), 'nothing was written').toBeNull();

      const key = ctx.unique('k');
      const prepared = await gateway.prepare(
        { app, method: PRESET_METHODS.put, args: [key, bytes('client-signed')], requestId: ctx.unique('req') },
        account,
      );
      const signature = await ctx.member.signer.signDigest(hexToBytes(prepared.digest));
      const receipt = await gateway.submitPrepared(prepared, signature);
      await assertCommitted(ctx, receipt);
      expect(text((await ctx.adapter.kv.get(app, key))!.value)).toBe('client-signed');
      // looked up, the client-signed write names its app like any other (however the framework carried it)
      const looked = await gateway.transaction(receipt.txId);
      expect(looked.app, 'the app a client-signed write went to').toBe(app.appId);
      expect(looked.method, 'the method a client-signed write called').toBe(PRESET_METHODS.put);
    },
  },
  {
    id: 'GW-010',
    title: 'concurrent submits from one signer all commit, each exactly once, and each is looked up as itself',
    level: 'MUST',
    capability: 'gateway.submit',
    async run(ctx) {
      // Two apps, alternating: on chains that batch, several of these share a block, and a
      // look-up must describe its own transaction, not a neighbour in the block.
      const apps = [await ctx.newApp(), await ctx.newApp()];
      const writes = Array.from({ length: 8 }, (_, i) => ({ app: apps[i % 2]!, key: ctx.unique('k') }));
      const receipts = await Promise.all(
        writes.map(({ app, key }, i) =>
          ctx.adapter.kv.put({ app, key, value: bytes(`v${i}`), requestId: ctx.unique('req') }, ctx.admin.signer),
        ),
      );
      expect(new Set(receipts.map((r) => r.txId)).size).toBe(writes.length);
      for (const receipt of receipts) await assertCommitted(ctx, receipt);
      for (const [i, { app, key }] of writes.entries()) {
        expect(text((await ctx.adapter.kv.get(app, key))!.value)).toBe(`v${i}`);
        const receipt = receipts[i]!;
        const looked = await ctx.adapter.gateway.transaction(receipt.txId);
        expect(looked.txId).toBe(receipt.txId);
        expect(looked.block, 'the look-up names the block the receipt named').toEqual(receipt.block);
        expect(looked.app, `write ${i} looked up names its own app`).toBe(app.appId);
        expect(looked.method).toBe(PRESET_METHODS.put);
        const described = (events: typeof looked.events) => events.map((e) => [e.app, e.name, e.txId, text(e.payload)]);
        expect(described(looked.events), `write ${i} looked up carries its own events only`).toEqual(described(receipt.events));
      }
    },
  },
]);

function hexToBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.replace(/^0x/, ''), 'hex'));
}
