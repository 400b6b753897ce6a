import { describe, expect, it } from 'vitest';
import { isBsnError } from '../errors/errors.js';
import {
  checkAppRef,
  checkArgs,
  checkCheckpoint,
  checkKey,
  checkPageLimit,
  checkPrefix,
  checkRequestId,
  checkValue,
  checkBlockNumber,
} from './input.js';

const limits = { maxKeyBytes: 8, maxValueBytes: 4, maxPageSize: 10 };

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (isBsnError(error, 'INVALID_INPUT')) return error.field;
    throw error;
  }
  return undefined;
}

describe('input rules', () => {
  it('accepts what the contract allows', () => {
    expect(checkKey('区块', limits)).toBe('区块');
    expect(checkKey('k'.repeat(8), limits)).toHaveLength(8);
    expect(checkValue(new Uint8Array(4), limits)).toHaveLength(4);
    expect(checkRequestId('req-1:a.b_c')).toBe('req-1:a.b_c');
    expect(checkPrefix('', limits)).toBe('');
    expect(checkCheckpoint(undefined)).toBeUndefined();
    expect(checkCheckpoint({ block: 3, index: 0 })).toEqual({ block: 3, index: 0 });
    expect(checkPageLimit(undefined, limits)).toBe(10);
  });

  it('names the offending field', () => {
    expect(fieldOf(() => checkKey('', limits))).toBe('/key');
    expect(fieldOf(() => checkKey('a\u0000', limits))).toBe('/key');
    expect(fieldOf(() => checkKey('区区区', limits))).toBe('/key'); // 9 bytes > 8
    expect(fieldOf(() => checkKey('\uD800', limits))).toBe('/key');
    expect(fieldOf(() => checkKey(7, limits))).toBe('/key');
    expect(fieldOf(() => checkValue('text', limits))).toBe('/value');
    expect(fieldOf(() => checkValue(new Uint8Array(0), limits))).toBe('/value');
    expect(fieldOf(() => checkValue(new Uint8Array(5), limits))).toBe('/value');
    expect(fieldOf(() => checkRequestId('has space'))).toBe('/requestId');
    expect(fieldOf(() => checkRequestId('r'.repeat(129)))).toBe('/requestId');
    expect(fieldOf(() => checkAppRef({}))).toBe('/app/appId');
    expect(fieldOf(() => checkAppRef(null))).toBe('/app');
    expect(fieldOf(() => checkArgs(['a', 1]))).toBe('/args/1');
    expect(fieldOf(() => checkCheckpoint({ block: -1, index: 0 }))).toBe('/after/block');
    expect(fieldOf(() => checkBlockNumber(1.5))).toBe('/block');
    expect(fieldOf(() => checkPageLimit(0, limits))).toBe('/limit');
    expect(fieldOf(() => checkPageLimit(11, limits))).toBe('/limit');
  });

  it('says what was expected and what came', () => {
    expect(() => checkKey(42, limits)).toThrow('/key: must be a string (got number)');
    expect(() => checkValue(new Uint8Array(5), limits)).toThrow('5 bytes, more than the 4 allowed');
  });
});
