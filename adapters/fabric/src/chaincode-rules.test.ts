// The preset chaincode's pure parts (chaincode/lib), without a network: range ends, input rules
// and the error format the adapter parses.
import { createRequire } from 'node:module';
import { describe, expect, test } from 'vitest';
import { parseRefusal } from './errors.js';

const require = createRequire(import.meta.url);
const state = require('../chaincode/lib/state.js') as {
  successor(s: string): string;
  dataKey(a: string, k: string): string;
  dataBase(a: string): string;
};
const rules = require('../chaincode/lib/rules.js') as {
  checkKey(k: unknown): string;
  checkValue(v: unknown): Buffer;
  checkLimit(v: unknown): number;
};
const errors = require('../chaincode/lib/errors.js') as { BsnChaincodeError: new (code: string, message: string, data?: object) => Error };

const utf8 = (s: string) => Buffer.from(s, 'utf8');

describe('preset chaincode rules', () => {
  test('successor(prefix) is above every key with the prefix and below every greater key, in UTF-8 byte order', () => {
    const prefixes = ['k/app/', 'k/app/a', 'k/app/\u{10FFFF}', 'k/app/\uD7FF', 'k/app/é'];
    const probes = ['', 'a', 'zz', '\u{10FFFF}\u{10FFFF}', '\uFFFF', '\uE000', '0'];
    for (const p of prefixes) {
      const end = state.successor(p);
      for (const tail of probes) expect(Buffer.compare(utf8(p + tail), utf8(end)), `${JSON.stringify(p + tail)} < end`).toBeLessThan(0);
      expect(Buffer.compare(utf8(p), utf8(end))).toBeLessThan(0);
    }
    expect(state.successor('k/app/')).toBe('k/app0');
    expect(state.successor('k/a/\u{10FFFF}')).toBe('k/a0');
    expect(state.successor('k/a/\uD7FF')).toBe('k/a/\uE000');
    // One app's namespace never contains another's: app ids cannot hold '/'.
    expect(state.dataKey('app', 'x/y').startsWith(state.dataBase('app'))).toBe(true);
    expect(state.dataKey('app-2', 'x').startsWith(state.dataBase('app'))).toBe(false);
  });

  test("keys and values follow core's rules; refusals carry the field in the format the adapter parses", () => {
    expect(rules.checkKey('区块链')).toBe('区块链');
    const refusal = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return parseRefusal((e as Error).message);
      }
      return undefined;
    };
    expect(refusal(() => rules.checkKey(''))).toMatchObject({ code: 'INVALID_INPUT', data: { field: '/key' } });
    expect(refusal(() => rules.checkKey('a\u0000'))).toMatchObject({ code: 'INVALID_INPUT', data: { field: '/key' } });
    expect(refusal(() => rules.checkKey('\uD800'))).toMatchObject({ code: 'INVALID_INPUT' });
    expect(refusal(() => rules.checkValue(Buffer.alloc(0)))).toMatchObject({ code: 'INVALID_INPUT', data: { field: '/value' } });
    expect(refusal(() => rules.checkLimit('0'))).toMatchObject({ code: 'INVALID_INPUT', data: { field: '/limit' } });
    expect(rules.checkLimit('100')).toBe(100);
    expect(() => new errors.BsnChaincodeError('NOPE', 'x')).toThrow();
  });
});
