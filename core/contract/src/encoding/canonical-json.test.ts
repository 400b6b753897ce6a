import { describe, expect, it } from 'vitest';
import { isBsnError } from '../errors/errors.js';
import { canonicalJson } from './canonical-json.js';

describe('canonicalJson (RFC 8785)', () => {
  it('sorts keys recursively and strips whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('matches the RFC 8785 §3.2.2 number and string examples', () => {
    // RFC 8785 §3.2.2 sample input (numbers part) and its canonical output.
    const input = { numbers: [333333333.33333329, 1e30, 4.5, 2e-3, 0.000000000000000000000000001], literals: [null, true, false] };
    expect(canonicalJson(input)).toBe('{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27]}');
    expect(canonicalJson({ string: '€$\u000f\nA\'B"\\\\"/' })).toBe('{"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}');
  });

  it('sorts keys by UTF-16 code units (RFC 8785 §3.2.3)', () => {
    expect(canonicalJson({ '\u20ac': 1, '\r': 2, '\ud83d\ude00': 3, '1': 4, '\u00f6': 5 })).toBe('{"\\r":2,"1":4,"ö":5,"€":1,"😀":3}');
  });

  it('omits undefined properties exactly as JSON transport would', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
  });

  it.each([
    ['undefined', undefined, '/'],
    ['NaN', { a: NaN }, '/a'],
    ['Infinity', [1, Infinity], '/1'],
    ['function', { f: () => 1 }, '/f'],
    ['bigint', { n: 1n }, '/n'],
    ['undefined in an array', [undefined], '/0'],
    ['Date', { d: new Date(0) }, '/d'],
    ['Uint8Array', { b: new Uint8Array(2) }, '/b'],
  ])('refuses %s with InvalidInputError naming the field', (_name, value, field) => {
    try {
      canonicalJson(value);
      expect.unreachable();
    } catch (err) {
      expect(isBsnError(err, 'INVALID_INPUT')).toBe(true);
      expect((err as { field?: string }).field).toBe(field);
    }
  });

  it('refuses cycles', () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    expect(() => canonicalJson(a)).toThrow(/circular/);
  });

  it('allows the same object twice when it is not a cycle', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });
});
