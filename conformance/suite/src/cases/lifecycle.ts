import { expect } from 'vitest';
import { defineCases } from '../case.js';
import { expectBsnError } from '../expect-error.js';
import { bytes, takeEvents, text } from '@bsn/contract/testing';

export const lifecycleCases = defineCases([
  {
    id: 'LC-001',
    title: 'create makes an active app that get() describes; the same app id again is a conflict',
    level: 'MUST',
    capability: 'lifecycle.create',
    async run(ctx) {
      const appId = ctx.unique('app');
      const created = await ctx.newApp({ appId });
      expect(created.appId).toBe(appId);
      expect(created.state).toBe('active');
      expect(created.framework).toBe(ctx.description.framework);
      expect(created.admin).toBe(ctx.admin.account.id);
      expect(created.members).toContain(ctx.member.account.id);
      expect(await ctx.adapter.lifecycle.get({ appId })).toEqual(created);
      await expectBsnError(ctx.newApp({ appId }), 'CONFLICT', { what: 'creating an app id twice' });
    },
  },
  {
    id: 'LC-002',
    title: 'an unknown app is NOT_FOUND for get and for writes',
    level: 'MUST',
    capability: 'lifecycle.create',
    async run(ctx) {
      const app = { appId: ctx.unique('never-created') };
      await expectBsnError(ctx.adapter.lifecycle.get(app), 'NOT_FOUND', { what: 'get of an unknown app' });
      await expectBsnError(
        ctx.adapter.kv.put({ app, key: 'k', value: bytes('v'), requestId: ctx.unique('req') }, ctx.admin.signer),
        'NOT_FOUND',
        { what: 'a write to an unknown app' },
      );
    },
  },
  {
    id: 'LC-003',
    title: 'upgrade replaces the contract, bumps its version and keeps the state',
    level: 'MUST',
    capability: 'lifecycle.upgrade',
    async run(ctx) {
      const app = await ctx.newApp();
      const key = ctx.unique('k');
      await ctx.adapter.kv.put({ app, key, value: bytes('before'), requestId: ctx.unique('req') }, ctx.admin.signer);
      const upgraded = await ctx.adapter.lifecycle.upgrade(app, { kind: 'preset-kv' }, ctx.admin.signer);
      expect(upgraded.contract.version).toBe(app.contract.version + 1);
      expect(text((await ctx.adapter.kv.get(app, key))!.value)).toBe('before');
      await ctx.adapter.kv.put({ app, key, value: bytes('after'), requestId: ctx.unique('req') }, ctx.member.signer);
      expect(text((await ctx.adapter.kv.get(app, key))!.value)).toBe('after');
      await expectBsnError(ctx.adapter.lifecycle.upgrade(app, { kind: 'preset-kv' }, ctx.member.signer), 'UNAUTHORIZED', {
        what: 'upgrade by a non-admin',
      });
    },
  },
  {
    id: 'LC-004',
    title: 'only members write; added members can, removed members no longer can',
    level: 'MUST',
    capability: 'lifecycle.members',
    async run(ctx) {
      const app = await ctx.newApp();
      const newcomer = await ctx.newActor('newcomer');
      const put = (who: typeof newcomer) =>
        ctx.adapter.kv.put({ app, key: ctx.unique('k'), value: bytes(who.name), requestId: ctx.unique('req') }, who.signer);
      await expectBsnError(put(newcomer), 'UNAUTHORIZED', { what: 'a write before being admitted' });
      const withNewcomer = await ctx.adapter.lifecycle.addMember(app, newcomer.account, ctx.admin.signer);
      expect(withNewcomer.members).toContain(newcomer.account.id);
      await put(newcomer);
      const without = await ctx.adapter.lifecycle.removeMember(app, newcomer.account, ctx.admin.signer);
      expect(without.members).not.toContain(newcomer.account.id);
      await expectBsnError(put(newcomer), 'UNAUTHORIZED', { what: 'a write after removal' });
    },
  },
  {
    id: 'LC-005',
    title: 'only the admin manages members',
    level: 'MUST',
    capability: 'lifecycle.members',
    async run(ctx) {
      const app = await ctx.newApp();
      await expectBsnError(ctx.adapter.lifecycle.addMember(app, ctx.outsider.account, ctx.member.signer), 'UNAUTHORIZED', {
        what: 'a member adding a member',
      });
      const info = await ctx.adapter.lifecycle.get(app);
      expect(info.members).not.toContain(ctx.outsider.account.id);
    },
  },
  {
    id: 'LC-006',
    title: 'a frozen app serves reads and refuses every write; unfreezing restores writes',
    level: 'MUST',
    capability: 'lifecycle.freeze',
    async run(ctx) {
      const app = await ctx.newApp();
      const key = ctx.unique('k');
      await ctx.adapter.kv.put({ app, key, value: bytes('kept'), requestId: ctx.unique('req') }, ctx.member.signer);
      const frozen = await ctx.adapter.lifecycle.freeze(app, ctx.admin.signer);
      expect(frozen.state).toBe('frozen');
      expect(text((await ctx.adapter.kv.get(app, key))!.value)).toBe('kept');
      await expectBsnError(
        ctx.adapter.kv.put({ app, key, value: bytes('no'), requestId: ctx.unique('req') }, ctx.member.signer),
        'UNAUTHORIZED',
        { what: 'put on a frozen app' },
      );
      await expectBsnError(ctx.adapter.kv.delete({ app, key, requestId: ctx.unique('req') }, ctx.admin.signer), 'UNAUTHORIZED', {
        what: 'delete on a frozen app',
      });
      const thawed = await ctx.adapter.lifecycle.unfreeze(app, ctx.admin.signer);
      expect(thawed.state).toBe('active');
      await ctx.adapter.kv.put({ app, key, value: bytes('again'), requestId: ctx.unique('req') }, ctx.member.signer);
      expect(text((await ctx.adapter.kv.get(app, key))!.value)).toBe('again');
    },
  },
  {
    id: 'LC-007',
    title: 'apps are isolated: keys and members of one app do not reach another',
    level: 'MUST',
    capability: 'lifecycle.isolation',
    async run(ctx) {
      const a = await ctx.newApp();
      const stranger = await ctx.newActor('stranger');
      const b = await ctx.newApp({ members: [stranger.account] });
      const key = ctx.unique('shared-name');
      await ctx.adapter.kv.put({ app: a, key, value: bytes('in a'), requestId: ctx.unique('req') }, ctx.member.signer);
      expect(await ctx.adapter.kv.get(b, key), 'a key of app A read through app B').toBeNull();
      expect((await ctx.adapter.kv.list(b, '')).entries.map((e) => e.key)).not.toContain(key);
      await expectBsnError(
        ctx.adapter.kv.put({ app: b, key, value: bytes('from a member of a'), requestId: ctx.unique('req') }, ctx.member.signer),
        'UNAUTHORIZED',
        { what: 'a member of app A writing app B' },
      );
      await ctx.adapter.kv.put({ app: b, key, value: bytes('in b'), requestId: ctx.unique('req') }, stranger.signer);
      expect(text((await ctx.adapter.kv.get(a, key))!.value)).toBe('in a');
    },
  },
  {
    id: 'LC-008',
    title:
      'a dedicated app lives apart from shared apps, works like one, and its blocks and transactions are found by look-ups scoped to it',
    level: 'MUST',
    capability: 'lifecycle.dedicated',
    async run(ctx) {
      const shared = await ctx.newApp();
      const appId = ctx.unique('dedicated');
      const app = await ctx.newApp({ appId, placement: 'dedicated' });
      expect(app.placement).toBe('dedicated');
      expect(app.location, 'a dedicated app placed where a shared app is').not.toEqual(shared.location);
      expect(await ctx.adapter.lifecycle.get({ appId })).toEqual(app);

      const key = ctx.unique('k');
      const first = await ctx.adapter.kv.put({ app, key, value: bytes('one'), requestId: ctx.unique('req') }, ctx.member.signer);
      const second = await ctx.adapter.kv.put({ app, key, value: bytes('two'), requestId: ctx.unique('req') }, ctx.admin.signer);
      expect(text((await ctx.adapter.kv.get(app, key))!.value)).toBe('two');
      expect((await ctx.adapter.kv.history(app, key)).map((h) => h.txId)).toEqual([first.txId, second.txId]);
      expect((await ctx.adapter.kv.list(app, '')).entries.map((e) => e.key)).toEqual([key]);

      const seen = (await takeEvents(ctx.adapter.gateway, { app }, 2, 10_000)).map((e) => e.txId);
      expect(seen, 'events of the dedicated app').toEqual([first.txId, second.txId]);

      const block = await ctx.adapter.gateway.block(second.block.number, { appId });
      expect(block.hash, 'block(n, {appId}) of the receipt').toBe(second.block.hash);
      expect(block.txIds).toContain(second.txId);
      const tx = await ctx.adapter.gateway.transaction(second.txId, { appId });
      expect(tx.block).toEqual(second.block);
      expect(tx.valid).toBe(true);

      expect(await ctx.adapter.kv.get(shared, key), "the dedicated app's key read through a shared app").toBeNull();
      await ctx.adapter.kv.put({ app: shared, key, value: bytes('shared'), requestId: ctx.unique('req') }, ctx.member.signer);
      expect(text((await ctx.adapter.kv.get(shared, key))!.value)).toBe('shared');
      expect(text((await ctx.adapter.kv.get(app, key))!.value)).toBe('two');

      await expectBsnError(ctx.newApp({ appId, placement: 'dedicated' }), 'CONFLICT', { what: 'creating a dedicated app id twice' });
      await expectBsnError(ctx.newApp({ appId }), 'CONFLICT', { what: "creating a shared app with a dedicated app's id" });
    },
  },
]);
