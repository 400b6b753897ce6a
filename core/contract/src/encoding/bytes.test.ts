import { describe, expect, it } from 'vitest';
import { isBsnError } from '../errors/errors.js';
import { bytesEqual, concatBytes, fromBase64, fromHex, toBase64, toHex, utf8 } from './bytes.js';

describe('hex', () => {
  it('round-trips and prints lowercase without 0x', () => {
    const bytes = new Uint8Array([0, 1, 0xab, 0xff]);
    expect(toHex(bytes)).toBe('0001abff');
    expect(fromHex('0001ABFF')).toEqual(bytes);
    expect(fromHex('0x0001abff')).toEqual(bytes);
    expect(fromHex('')).toEqual(new Uint8Array());
    expect(fromHex('0x')).toEqual(new Uint8Array());
  });

  it('hex of a subarray covers only that view', () => {
    const whole = new Uint8Array([1, 2, 3, 4]);
    expect(toHex(whole.subarray(1, 3))).toBe('0203');
  });

  it.each(['abc', '0xabc', 'zz', '12 4', 'g0', '0x0x00'])('refuses %j with InvalidInputError', (bad) => {
    try {
      fromHex(bad, 'publicKey');
      expect.unreachable();
    } catch (err) {
      expect(isBsnError(err, 'INVALID_INPUT')).toBe(true);
      expect((err as { field?: string }).field).toBe('publicKey');
    }
  });
});

describe('base64 and utf8', () => {
  it('round-trips', () => {
    const bytes = utf8('héllo ✓');
    expect(fromBase64(toBase64(bytes))).toEqual(bytes);
    expect(toBase64(utf8('abc'))).toBe('YWJj');
  });

  it('refuses non-base64', () => {
    expect(() => fromBase64('YWJ$')).toThrow(/base64/);
    expect(() => fromBase64('YWJ')).toThrow(/base64/);
  });
});

describe('helpers', () => {
  it('compares and concatenates', () => {
    expect(bytesEqual(utf8('a'), utf8('a'))).toBe(true);
    expect(bytesEqual(utf8('a'), utf8('b'))).toBe(false);
    expect(bytesEqual(utf8('a'), utf8('ab'))).toBe(false);
    expect(toHex(concatBytes(new Uint8Array([1]), new Uint8Array([2, 3])))).toBe('010203');
  });
});
