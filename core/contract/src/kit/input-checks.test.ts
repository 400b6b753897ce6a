import { describe, expect, it } from 'vitest';
import { encodeKeyCursor } from '../encoding/kv-cursor.js';
import { checkKvListRequest, checkKvRead, checkKvWrite, inputChecks } from './input-checks.js';

const limits = { maxKeyBytes: 3, maxValueBytes: 2, maxPageSize: 5 };
const refused = (field: string) => expect.objectContaining({ code: 'INVALID_INPUT', field });
const app = { appId: 'app-1' };

describe('checkKvWrite', () => {
  it("returns a write's app, request id and key", () => {
    expect(checkKvWrite({ app, requestId: 'r-1', key: 'k' }, limits)).toEqual({ appId: 'app-1', requestId: 'r-1', key: 'k' });
  });

  it('refuses a request that is not an object, and each bad part, naming it', () => {
    expect(() => checkKvWrite(null as never, limits)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', message: 'a write request is an object' }),
    );
    expect(() => checkKvWrite({ app: { appId: '' }, requestId: 'r', key: 'k' }, limits)).toThrow(refused('/app/appId'));
    expect(() => checkKvWrite({ app, requestId: 'r r', key: 'k' }, limits)).toThrow(refused('/requestId'));
    expect(() => checkKvWrite({ app, requestId: 'r', key: 'abcd' }, limits)).toThrow(refused('/key'));
  });
});

describe('checkKvRead', () => {
  it("returns a get's or history's app and key", () => {
    expect(checkKvRead(app, 'k', limits)).toEqual({ appId: 'app-1', key: 'k' });
  });

  it('refuses a bad app or key, naming it', () => {
    expect(() => checkKvRead(null as never, 'k', limits)).toThrow(refused('/app'));
    expect(() => checkKvRead({ appId: 'a b' }, 'k', limits)).toThrow(refused('/app/appId'));
    expect(() => checkKvRead(app, '', limits)).toThrow(refused('/key'));
    expect(() => checkKvRead(app, 'a\u0000', limits)).toThrow(refused('/key'));
    expect(() => checkKvRead(app, 'abcd', limits)).toThrow(refused('/key'));
    expect(() => checkKvRead(app, 7 as never, limits)).toThrow(refused('/key'));
  });
});

describe('checkKvListRequest', () => {
  it('defaults the page to the largest, and resumes after the key a cursor names', () => {
    expect(checkKvListRequest(app, '', undefined, limits)).toEqual({ appId: 'app-1', prefix: '', limit: 5 });
    expect(checkKvListRequest(app, 'a', {}, limits)).toEqual({ appId: 'app-1', prefix: 'a', limit: 5 });
    expect(checkKvListRequest(app, 'a', { limit: 2, cursor: encodeKeyCursor('ab') }, limits)).toEqual({
      appId: 'app-1',
      prefix: 'a',
      limit: 2,
      after: 'ab',
    });
  });

  it('refuses a bad app, prefix, page, limit or cursor, naming it', () => {
    expect(() => checkKvListRequest({} as never, '', {}, limits)).toThrow(refused('/app/appId'));
    expect(() => checkKvListRequest(app, 'abcd', {}, limits)).toThrow(refused('/prefix'));
    expect(() => checkKvListRequest(app, 7 as never, {}, limits)).toThrow(refused('/prefix'));
    expect(() => checkKvListRequest(app, '', null as never, limits)).toThrow(refused('/page'));
    expect(() => checkKvListRequest(app, '', 3 as never, limits)).toThrow(refused('/page'));
    expect(() => checkKvListRequest(app, '', { limit: 0 }, limits)).toThrow(refused('/limit'));
    expect(() => checkKvListRequest(app, '', { limit: 6 }, limits)).toThrow(refused('/limit'));
    expect(() => checkKvListRequest(app, '', { limit: 1.5 }, limits)).toThrow(refused('/limit'));
    expect(() => checkKvListRequest(app, '', { cursor: 'forged' }, limits)).toThrow(refused('/cursor'));
    // a cursor made for another prefix does not resume this list
    expect(() => checkKvListRequest(app, 'b', { cursor: encodeKeyCursor('ab') }, limits)).toThrow(refused('/cursor'));
  });
});

describe('inputChecks', () => {
  it("binds the rules to an adapter's limits with the usual pointers", () => {
    const c = inputChecks(limits);
    expect(c.checkAppRef({ appId: 'a' })).toBe('a');
    expect(() => c.checkKey('abcd')).toThrow(/^\/key: /);
    expect(() => c.checkValue(new Uint8Array(3), '/v')).toThrow(/^\/v: /);
    expect(() => c.checkLimit(6)).toThrow(/^\/limit: /);
    expect(() => c.checkAppId('a b')).toThrow(/^\/appId: /);
    expect(() => c.checkKvWrite({ app, requestId: 'r', key: 'abcd' })).toThrow(refused('/key'));
    expect(() => c.checkKvRead(app, 'abcd')).toThrow(refused('/key'));
    expect(c.checkKvListRequest(app, '')).toEqual({ appId: 'app-1', prefix: '', limit: 5 });
    expect(() => c.checkKvListRequest(app, '', { limit: 6 })).toThrow(refused('/limit'));
  });
});
