import { expect } from 'vitest';
import { takeEvents } from '@bsn/contract/testing';
import { defineCases } from '../case.js';
import { expectBsnError } from '../expect-error.js';
import { assertCommitted } from './gateway.js';
import {
  balanceOf,
  deployToken,
  expectTypedFailure,
  fundMember,
  refusedWithNoTransaction,
  submitCall,
  withToken,
} from './custom-contract-token.js';

/**
 * Apps that bring their own contract (lifecycle.custom-contract), on the kit's sample token the
 * target supplies: deployed, called, its events streamed, upgraded with state kept, and every
 * refused change leaving the chain as it was — each fact read on the chain too.
 */
export const customContractCases = defineCases([
  {
    id: 'CC-001',
    title: "the sample token deploys as an app running the package's code, initialised; the same app id again is a conflict",
    level: 'MUST',
    capability: 'lifecycle.custom-contract',
    run: (ctx) =>
      withToken(ctx, async (w) => {
        const appId = ctx.unique('token');
        expect(await w.onChain.code(appId), `${w.onChain.source}: no code serves ${appId} before it is created`).toBeUndefined();
        const app = await deployToken(ctx, w, appId);
        expect(app).toMatchObject({ appId, state: 'active', contract: { kind: 'package', version: 1 }, admin: ctx.admin.account.id });
        expect(app.members).toContain(ctx.member.account.id);
        expect(await ctx.adapter.lifecycle.get({ appId })).toEqual(app);
        expect(await w.onChain.code(appId), `${w.onChain.source}: the code serving the app`).toBeDefined();
        // Read through the app, the adapter and the chain agree: nobody holds tokens yet.
        expect(await balanceOf(ctx, w, app, ctx.admin)).toBe(0n);
        const code = await w.onChain.code(appId);
        await expectBsnError(deployToken(ctx, w, appId), 'CONFLICT', { what: 'creating the token app id twice' });
        expect(await w.onChain.code(appId), 'the first app still serves its code').toBe(code);
      }),
  },
  {
    id: 'CC-002',
    title: "the token's methods are called by name: the owner mints, a member transfers, balances read agree with the chain",
    level: 'MUST',
    capability: 'lifecycle.custom-contract',
    run: (ctx) =>
      withToken(ctx, async (w) => {
        const app = await deployToken(ctx, w);
        const [minted, moved] = await fundMember(ctx, w, app, 1000n, 250n);
        await assertCommitted(ctx, minted!);
        await assertCommitted(ctx, moved!);
        expect(await balanceOf(ctx, w, app, ctx.member)).toBe(750n);
        expect(await balanceOf(ctx, w, app, ctx.admin)).toBe(250n);
        // The contract's own rule (only its owner mints) holds through the gateway, and changes nothing.
        await expectTypedFailure(submitCall(ctx, app, w.sample.mint(ctx.member.account, 5n), ctx.member), 'a mint by a non-owner');
        expect(await balanceOf(ctx, w, app, ctx.member)).toBe(750n);
        // Only the app's members write to it.
        await expectBsnError(submitCall(ctx, app, w.sample.transfer(ctx.member.account, 0n), ctx.outsider), 'UNAUTHORIZED', {
          what: "an outsider's transfer",
        });
      }),
  },
  {
    id: 'CC-003',
    title: "the token's Transfer events come in the receipt and the app's stream, decoded, in order, naming their transactions",
    level: 'MUST',
    capability: 'lifecycle.custom-contract',
    run: (ctx) =>
      withToken(ctx, async (w) => {
        const app = await deployToken(ctx, w);
        const receipts = await fundMember(ctx, w, app, 1000n, 250n);
        const expected = [
          { to: ctx.member.account.id, value: 1000n },
          { from: ctx.member.account.id, to: ctx.admin.account.id, value: 250n },
        ];
        receipts.forEach((r, i) => {
          const transfers = r.events.filter((e) => e.name === w.sample.transferEvent);
          expect(transfers, `the ${i ? 'transfer' : 'mint'} receipt's Transfer events`).toHaveLength(1);
          expect(transfers[0]!.app).toBe(app.appId);
          expect(w.sample.transferOf(transfers[0]!.payload)).toMatchObject(expected[i]!);
        });
        const streamed = await takeEvents(ctx.adapter.gateway, { app, name: w.sample.transferEvent }, 2, 30_000);
        expect(
          streamed.map((e) => e.txId),
          "the stream's events name the transactions that emitted them",
        ).toEqual(receipts.map((r) => r.txId));
        streamed.forEach((e, i) => {
          expect(e.name).toBe(w.sample.transferEvent);
          expect(w.sample.transferOf(e.payload)).toMatchObject(expected[i]!);
          expect(e.checkpoint.block, 'an event sits in the block of its receipt').toBe(receipts[i]!.block.number);
        });
        if (ctx.chain)
          for (const r of receipts)
            expect((await ctx.chain.transaction(r.txId))?.block, `${ctx.chain.source}: the block of ${r.txId}`).toBe(r.block.number);
        // Resumed after the first, the stream gives the second and nothing before it.
        const resumed = await takeEvents(
          ctx.adapter.gateway,
          { app, name: w.sample.transferEvent, after: streamed[0]!.checkpoint },
          1,
          30_000,
        );
        expect(resumed.map((e) => e.txId)).toEqual([receipts[1]!.txId]);
      }),
  },
  {
    id: 'CC-004',
    title: 'an upgrade by the owner runs version 2 on the same state: balances intact, the new method callable, the version bumped',
    level: 'MUST',
    capability: 'lifecycle.custom-contract',
    run: (ctx) =>
      withToken(ctx, async (w) => {
        const app = await deployToken(ctx, w);
        await fundMember(ctx, w, app, 1000n, 250n);
        const before = await w.onChain.code(app.appId);
        const upgraded = await ctx.adapter.lifecycle.upgrade(app, w.sample.v2(), ctx.admin.signer);
        expect(upgraded).toMatchObject({ appId: app.appId, contract: { kind: 'package', version: 2 }, state: 'active' });
        expect(await ctx.adapter.lifecycle.get(app)).toEqual(upgraded);
        const after = await w.onChain.code(app.appId);
        expect(after, `${w.onChain.source}: other code serves the app after the upgrade`).toBeDefined();
        expect(after).not.toBe(before);
        expect(await balanceOf(ctx, w, upgraded, ctx.member), "the member's balance, kept").toBe(750n);
        expect(await balanceOf(ctx, w, upgraded, ctx.admin), "the owner's balance, kept").toBe(250n);
        const burnt = await submitCall(ctx, upgraded, w.sample.burn(100n), ctx.member);
        await assertCommitted(ctx, burnt);
        expect(await balanceOf(ctx, w, upgraded, ctx.member), 'burn, the new method, ran on the kept state').toBe(650n);
        // Version 1's methods still run, on the same state.
        await submitCall(ctx, upgraded, w.sample.transfer(ctx.admin.account, 50n), ctx.member);
        expect(await balanceOf(ctx, w, upgraded, ctx.admin)).toBe(300n);
      }),
  },
  {
    id: 'CC-005',
    title: 'an upgrade that fails on the chain is a typed error and leaves version 1 serving, state and code unchanged',
    level: 'MUST',
    capability: 'lifecycle.custom-contract',
    run: (ctx) =>
      withToken(ctx, async (w) => {
        const app = await deployToken(ctx, w);
        await fundMember(ctx, w, app, 1000n, 250n);
        const before = await w.onChain.code(app.appId);
        await expectTypedFailure(
          ctx.adapter.lifecycle.upgrade(app, w.sample.failingV2(), ctx.admin.signer),
          'an upgrade whose start fails',
        );
        expect(await w.onChain.code(app.appId), `${w.onChain.source}: the code serving the app`).toBe(before);
        expect((await ctx.adapter.lifecycle.get(app)).contract).toEqual({ kind: 'package', version: 1 });
        expect(await balanceOf(ctx, w, app, ctx.member)).toBe(750n);
        // Version 1 serves: its methods write, version 2's is not there.
        await submitCall(ctx, app, w.sample.transfer(ctx.admin.account, 50n), ctx.member);
        expect(await balanceOf(ctx, w, app, ctx.member)).toBe(700n);
        await expectTypedFailure(submitCall(ctx, app, w.sample.burn(1n), ctx.member), "version 2's burn on version 1");
        expect(await balanceOf(ctx, w, app, ctx.member)).toBe(700n);
      }),
  },
  {
    id: 'CC-006',
    title: 'a bad package is refused with INVALID_INPUT naming the field, before the chain: no app created, no upgrade made',
    level: 'MUST',
    capability: 'lifecycle.custom-contract',
    run: (ctx) =>
      withToken(ctx, async (w) => {
        const bad = w.sample.badPackage();
        const appId = ctx.unique('bad-token');
        await refusedWithNoTransaction(ctx, 'creating an app from a bad package', () =>
          expectBsnError(ctx.newApp({ appId, contract: bad.contract }), 'INVALID_INPUT', {
            field: bad.field,
            what: 'creating an app from a bad package',
          }),
        );
        await expectBsnError(ctx.adapter.lifecycle.get({ appId }), 'NOT_FOUND', { what: 'the app a bad package was refused for' });
        expect(await w.onChain.code(appId), `${w.onChain.source}: code serving the refused app`).toBeUndefined();

        const app = await deployToken(ctx, w);
        const before = await w.onChain.code(app.appId);
        await refusedWithNoTransaction(ctx, 'an upgrade to a bad package', () =>
          expectBsnError(ctx.adapter.lifecycle.upgrade(app, bad.contract, ctx.admin.signer), 'INVALID_INPUT', {
            field: bad.field,
            what: 'an upgrade to a bad package',
          }),
        );
        expect(await w.onChain.code(app.appId), `${w.onChain.source}: the code serving the app`).toBe(before);
        expect((await ctx.adapter.lifecycle.get(app)).contract.version).toBe(1);
      }),
  },
  {
    id: 'CC-007',
    title: "an upgrade by anyone but the app's admin is UNAUTHORIZED and changes nothing on the chain",
    level: 'MUST',
    capability: 'lifecycle.custom-contract',
    run: (ctx) =>
      withToken(ctx, async (w) => {
        const app = await deployToken(ctx, w);
        await fundMember(ctx, w, app, 1000n, 250n);
        const before = await w.onChain.code(app.appId);
        for (const who of [ctx.member, ctx.outsider]) {
          await refusedWithNoTransaction(ctx, `an upgrade by the ${who.name}`, () =>
            expectBsnError(ctx.adapter.lifecycle.upgrade(app, w.sample.v2(), who.signer), 'UNAUTHORIZED', {
              what: `an upgrade by the ${who.name}`,
            }),
          );
          expect(await w.onChain.code(app.appId), `${w.onChain.source}: the code serving the app after the ${who.name}'s try`).toBe(before);
        }
        expect((await ctx.adapter.lifecycle.get(app)).contract.version).toBe(1);
        expect(await balanceOf(ctx, w, app, ctx.member)).toBe(750n);
        await expectTypedFailure(submitCall(ctx, app, w.sample.burn(1n), ctx.member), "version 2's burn, never installed");
      }),
  },
]);
