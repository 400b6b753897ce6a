import { expect } from 'vitest';
import { PRESET_METHODS } from '@bsn/contract';
import { bytes } from '@bsn/contract/testing';
import { defineCases } from '../case.js';
import { expectBsnError } from '../expect-error.js';

// Callers in other languages reach adapters through JSON: wrong types must be refused, not coerced.
const loose = <T>(value: unknown) => value as T;

export const badInputCases = defineCases([
  {
    id: 'BAD-001',
    title: 'malformed request ids, app refs and argument types are INVALID_INPUT naming the field',
    level: 'MUST',
    capability: 'gateway.submit',
    async run(ctx) {
      const app = await ctx.newApp();
      const key = ctx.unique('k');
      const { kv, gateway } = ctx.adapter;
      const signer = ctx.member.signer;
      await expectBsnError(kv.put({ app, key, value: bytes('v'), requestId: 'has spaces' }, signer), 'INVALID_INPUT', {
        field: '/requestId',
        what: 'a request id with spaces',
      });
      await expectBsnError(kv.put({ app, key, value: bytes('v'), requestId: '' }, signer), 'INVALID_INPUT', {
        field: '/requestId',
        what: 'an empty request id',
      });
      await expectBsnError(kv.put({ app, key, value: bytes('v'), requestId: 'r'.repeat(129) }, signer), 'INVALID_INPUT', {
        field: '/requestId',
        what: 'a 129-char request id',
      });
      await expectBsnError(kv.put({ app, key, value: loose('not bytes'), requestId: ctx.unique('req') }, signer), 'INVALID_INPUT', {
        field: '/value',
        what: 'a string where bytes belong',
      });
      await expectBsnError(kv.put({ app, key: loose(42), value: bytes('v'), requestId: ctx.unique('req') }, signer), 'INVALID_INPUT', {
        field: '/key',
        what: 'a number as key',
      });
      await expectBsnError(kv.put({ app: loose({}), key, value: bytes('v'), requestId: ctx.unique('req') }, signer), 'INVALID_INPUT', {
        field: '/app/appId',
        what: 'an app ref without appId',
      });
      await expectBsnError(gateway.submit({ app, method: '', args: [], requestId: ctx.unique('req') }, signer), 'INVALID_INPUT', {
        field: '/method',
        what: 'an empty method',
      });
      await expectBsnError(
        gateway.submit({ app, method: PRESET_METHODS.put, args: loose([key, 7]), requestId: ctx.unique('req') }, signer),
        'INVALID_INPUT',
        { field: '/args/1', what: 'a number among the args' },
      );
      expect(await kv.history(app, key), 'none of the malformed writes wrote anything').toEqual([]);
    },
  },
  {
    id: 'BAD-004',
    title: 'malformed evaluate input is INVALID_INPUT naming the field, not an unavailable chain',
    level: 'MUST',
    capability: 'gateway.evaluate',
    async run(ctx) {
      const app = await ctx.newApp();
      const { gateway, kv } = ctx.adapter;
      await expectBsnError(gateway.evaluate({ app, method: '', args: [] }), 'INVALID_INPUT', {
        field: '/method',
        what: 'evaluate of an empty method',
      });
      await expectBsnError(gateway.evaluate({ app, method: PRESET_METHODS.get, args: loose([7]) }), 'INVALID_INPUT', {
        field: '/args/0',
        what: 'evaluate with a number among the args',
      });
      await expectBsnError(gateway.evaluate({ app, method: PRESET_METHODS.get, args: loose('k') }), 'INVALID_INPUT', {
        field: '/args',
        what: 'evaluate with args that are not a list',
      });
      await expectBsnError(
        gateway.evaluate({ app: loose({ appId: 'has spaces' }), method: PRESET_METHODS.get, args: ['k'] }),
        'INVALID_INPUT',
        {
          field: '/app/appId',
          what: 'evaluate in a malformed app id',
        },
      );
      await expectBsnError(kv.get(app, loose(42)), 'INVALID_INPUT', { field: '/key', what: 'kv.get of a number' });
    },
  },
  {
    id: 'BAD-002',
    title: 'malformed look-ups, pages and checkpoints are INVALID_INPUT',
    level: 'MUST',
    capability: 'gateway.lookup',
    async run(ctx) {
      const app = await ctx.newApp();
      const { gateway, kv } = ctx.adapter;
      await expectBsnError(gateway.block(-1), 'INVALID_INPUT', { what: 'a negative block number' });
      await expectBsnError(gateway.block(loose(1.5)), 'INVALID_INPUT', { what: 'a fractional block number' });
      await expectBsnError(gateway.transaction('not a tx id'), 'INVALID_INPUT', { what: 'a malformed transaction id' });
      await expectBsnError(kv.list(app, '', { limit: 0 }), 'INVALID_INPUT', { what: 'a page of 0' });
      await expectBsnError(kv.list(app, '', { limit: ctx.description.limits.maxPageSize + 1 }), 'INVALID_INPUT', {
        what: 'a page over the maximum',
      });
      await expectBsnError(kv.list(app, '', { cursor: '!!not-a-cursor!!' }), 'INVALID_INPUT', { what: 'a forged cursor' });
      const stream = gateway.events({ app, after: loose({ block: -5, index: 'x' }) });
      await expectBsnError(
        (async () => {
          for await (const _ of stream) break;
        })(),
        'INVALID_INPUT',
        { what: 'a malformed checkpoint' },
      );
    },
  },
  {
    id: 'BAD-003',
    title: 'an app spec that fails part-way leaves no app behind',
    level: 'MUST',
    capability: 'lifecycle.create',
    async run(ctx) {
      const appId = ctx.unique('app');
      const badMember = { ...ctx.member.account, id: 'definitely not an account', publicKey: 'zz' };
      await expectBsnError(ctx.newApp({ appId, members: [ctx.member.account, badMember] }), 'INVALID_INPUT', {
        what: 'an app spec with a malformed member',
      });
      await expectBsnError(ctx.adapter.lifecycle.get({ appId }), 'NOT_FOUND', { what: 'the app after a refused create' });
      await expectBsnError(ctx.newApp({ appId: 'bad id with spaces' }), 'INVALID_INPUT', {
        field: '/appId',
        what: 'an app id with spaces',
      });
      await expectBsnError(ctx.newApp({ appId: ctx.unique('app'), mode: loose('public') }), 'INVALID_INPUT', {
        field: '/mode',
        what: 'an unknown mode',
      });
    },
  },
]);
