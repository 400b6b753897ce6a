import { getAddress, isAddress, type ParamType } from 'ethers';
import { InvalidInputError } from '@bsn/contract';

function invalid(field: string, message: string): never {
  throw new InvalidInputError(`${field}: ${message}`, { field });
}

/**
 * The generic gateway's arguments (strings, or bytes for `bytes`) as the typed values an ABI
 * function takes, as docs/adapter-contract.md §6 fixes them for every EVM framework: integers
 * decimal or 0x-hex, addresses hex, bool "true"/"false", bytes as bytes or 0x-hex, string as
 * text, arrays and tuples as JSON text of those forms. A bad one is named down to its element.
 */
export function abiArguments(inputs: readonly ParamType[], args: ReadonlyArray<string | Uint8Array>, field = '/args'): unknown[] {
  if (args.length !== inputs.length) invalid(field, `takes ${inputs.length} argument(s), not ${args.length}`);
  return inputs.map((param, i) => {
    const arg = args[i]!;
    const at = `${field}/${i}`;
    if (!param.isArray() && !param.isTuple()) return valueOf(param, arg, at);
    if (typeof arg !== 'string') invalid(at, `${param.format()} is JSON text`);
    let json: unknown;
    try {
      json = JSON.parse(arg);
    } catch {
      invalid(at, `${param.format()} is JSON text`);
    }
    return valueOf(param, json, at);
  });
}

function valueOf(param: ParamType, value: unknown, field: string): unknown {
  if (param.isArray()) {
    if (!Array.isArray(value)) invalid(field, `${param.format()} is an array`);
    if (param.arrayLength !== -1 && value.length !== param.arrayLength)
      invalid(field, `${param.format()} has ${param.arrayLength} elements`);
    return value.map((v, i) => valueOf(param.arrayChildren!, v, `${field}/${i}`));
  }
  if (param.isTuple()) {
    const parts = param.components!;
    if (!Array.isArray(value) || value.length !== parts.length)
      invalid(field, `${param.format()} is an array of ${parts.length} components`);
    return value.map((v, i) => valueOf(parts[i]!, v, `${field}/${i}`));
  }
  const type = param.baseType;
  const int = /^(u?)int([0-9]*)$/.exec(type);
  if (int) {
    const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
    if (typeof text !== 'string' || !/^-?(0|[1-9][0-9]*|0x[0-9a-fA-F]+)$/.test(text))
      invalid(field, `${type} is a decimal or 0x-hex integer`);
    const n = text.startsWith('-') ? -BigInt(text.slice(1)) : BigInt(text);
    const bits = BigInt(int[2] || 256);
    const [min, max] = int[1] ? [0n, (1n << bits) - 1n] : [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n];
    if (n < min || n > max) invalid(field, `${text} does not fit ${type}`);
    return n;
  }
  if (type === 'address') {
    if (typeof value !== 'string' || !isAddress(value)) invalid(field, 'an address is 20 bytes of 0x-hex');
    return getAddress(value.toLowerCase());
  }
  if (type === 'bool') {
    if (value === 'true' || value === true) return true;
    if (value === 'false' || value === false) return false;
    return invalid(field, 'bool is "true" or "false"');
  }
  if (type === 'string') {
    if (typeof value !== 'string') invalid(field, 'string is text');
    return value;
  }
  const bytes = /^bytes([0-9]*)$/.exec(type);
  if (bytes) {
    const hex = value instanceof Uint8Array ? '0x' + Buffer.from(value).toString('hex') : value;
    if (typeof hex !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(hex)) invalid(field, `${type} is bytes or 0x-hex`);
    if (bytes[1] && (hex.length - 2) / 2 !== Number(bytes[1])) invalid(field, `${type} is exactly ${bytes[1]} bytes`);
    return hex;
  }
  return invalid(field, `arguments of type ${type} are not taken through the gateway`);
}

/**
 * A decoded ABI value as JSON, by its type: integers as decimal strings, addresses as FISCO
 * writes accounts (lowercase 0x-hex), bytes as 0x-hex, tuples and arrays as arrays.
 */
export function jsonOf(param: ParamType, value: unknown): unknown {
  if (param.isArray()) return Array.from(value as unknown[], (v) => jsonOf(param.arrayChildren!, v));
  if (param.isTuple()) return param.components!.map((c, i) => jsonOf(c, (value as unknown[])[i]));
  if (typeof value === 'bigint') return value.toString();
  if (param.baseType === 'address') return String(value).toLowerCase();
  return value;
}
