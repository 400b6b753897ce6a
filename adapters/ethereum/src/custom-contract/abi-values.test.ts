import { ParamType, Result } from 'ethers';
import { describe, expect, test } from 'vitest';
import { isBsnError } from '@bsn/contract';
import { abiArguments, jsonOf } from './abi-values.js';

const params = (...types: string[]) => types.map((t) => ParamType.from(t));
function field(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (isBsnError(e, 'INVALID_INPUT')) return e.field;
    throw e;
  }
  throw new Error('expected an InvalidInputError');
}

describe('gateway arguments as ABI values', () => {
  test('strings and bytes become the typed values the ABI takes', () => {
    const a = '0x' + 'ab'.repeat(20);
    expect(
      abiArguments(params('uint256', 'int8', 'address', 'bool', 'bytes', 'bytes2', 'string', 'uint16[]', 'tuple(uint8,bool)'), [
        '1000',
        '-128',
        a,
        'true',
        new Uint8Array([1, 2]),
        '0x0102',
        'text',
        '[1,"0x10"]',
        '[7,false]',
      ]),
    ).toEqual([1000n, -128n, '0xABaBaBaBABabABabAbAbABAbABabababaBaBABaB', true, '0x0102', '0x0102', 'text', [1n, 16n], [7n, false]]);
  });

  test('each refusal names the argument, down into arrays and tuples', () => {
    expect(field(() => abiArguments(params('uint8'), ['256']))).toBe('/args/0');
    expect(field(() => abiArguments(params('uint8'), ['-1']))).toBe('/args/0');
    expect(field(() => abiArguments(params('int8'), ['-129']))).toBe('/args/0');
    expect(field(() => abiArguments(params('uint256'), ['1.5']))).toBe('/args/0');
    expect(field(() => abiArguments(params('uint256'), ['01']))).toBe('/args/0');
    expect(field(() => abiArguments(params('bool', 'address'), ['true', '0xAbC']))).toBe('/args/1');
    expect(field(() => abiArguments(params('bool'), ['yes']))).toBe('/args/0');
    expect(field(() => abiArguments(params('bytes2'), ['0x010203']))).toBe('/args/0');
    expect(field(() => abiArguments(params('string'), [new Uint8Array([1])]))).toBe('/args/0');
    expect(field(() => abiArguments(params('uint8[2]'), ['[1]']))).toBe('/args/0');
    expect(field(() => abiArguments(params('uint8[]'), ['[1,300]']))).toBe('/args/0/1');
    expect(field(() => abiArguments(params('uint8[]'), ['not json']))).toBe('/args/0');
    expect(field(() => abiArguments(params('uint8', 'uint8'), ['1']))).toBe('/args');
  });

  test('results as JSON: integers as decimal strings, tuples as arrays', () => {
    expect(jsonOf(Result.fromItems([5n, 'x', Result.fromItems([1n, true])]))).toEqual(['5', 'x', ['1', true]]);
  });
});
