import { ParamType, Result, getAddress, hexlify, isAddress, isHexString } from 'ethers';
import { invalidInput } from '../validation.js';

/**
 * Generic gateway arguments (strings and bytes, as every framework takes them) as the typed
 * values an ABI function takes, and its typed results back as JSON. Integers are decimal (or
 * 0x-hex) strings, addresses hex, `bool` is "true"/"false", `bytes`/`bytesN` are bytes or
 * 0x-hex, `string` is text; arrays and tuples are JSON text of those forms.
 */
export function abiValue(param: ParamType, arg: string | Uint8Array, field: string): unknown {
  if (param.isArray() || param.isTuple()) {
    if (typeof arg !== 'string') invalidInput(field, `${param.format()} is JSON text`);
    let json: unknown;
    try {
      json = JSON.parse(arg);
    } catch {
      invalidInput(field, `${param.format()} is JSON text (got ${JSON.stringify(arg.slice(0, 40))})`);
    }
    return jsonValue(param, json, field);
  }
  return jsonValue(param, arg, field);
}

function jsonValue(param: ParamType, input: unknown, field: string): unknown {
  let value = input;
  const type = param.baseType;
  if (param.isArray()) {
    if (!Array.isArray(value)) invalidInput(field, `${param.format()} is an array`);
    if (param.arrayLength !== -1 && value.length !== param.arrayLength)
      invalidInput(field, `${param.format()} has ${param.arrayLength} elements, not ${value.length}`);
    return value.map((v, i) => jsonValue(param.arrayChildren!, v, `${field}/${i}`));
  }
  if (param.isTuple()) {
    if (!Array.isArray(value) || value.length !== param.components!.length)
      invalidInput(field, `${param.format()} is an array of its ${param.components!.length} components`);
    return value.map((v, i) => jsonValue(param.components![i]!, v, `${field}/${i}`));
  }
  if (/^u?int/.test(type)) {
    if (typeof value === 'number' && Number.isSafeInteger(value)) value = String(value);
    if (typeof value !== 'string' || !/^-?(0|[1-9][0-9]*|0x[0-9a-fA-F]+)$/.test(value))
      invalidInput(field, `${type} is a decimal or 0x-hex integer string`);
    const n = value.startsWith('-') ? -BigInt(value.slice(1)) : BigInt(value);
    const bits = Number(/[0-9]+$/.exec(type)?.[0] ?? 256);
    const [min, max] = type.startsWith('u') ? [0n, (1n << BigInt(bits)) - 1n] : [-(1n << BigInt(bits - 1)), (1n << BigInt(bits - 1)) - 1n];
    if (n < min || n > max) invalidInput(field, `${value} does not fit ${type}`);
    return n;
  }
  if (type === 'address') {
    if (typeof value !== 'string' || !isAddress(value))
      invalidInput(field, 'an address is 20 bytes of hex (checksum, if mixed case, must hold)');
    return getAddress(value);
  }
  if (type === 'bool') {
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    return invalidInput(field, 'bool is "true" or "false"');
  }
  if (type === 'string') {
    if (typeof value !== 'string') invalidInput(field, 'string is text');
    return value;
  }
  if (type === 'bytes' || /^bytes[0-9]+$/.test(type)) {
    const hex = value instanceof Uint8Array ? hexlify(value) : value;
    if (typeof hex !== 'string' || !isHexString(hex) || hex.length % 2 !== 0) invalidInput(field, `${type} is bytes or 0x-hex`);
    const size = type === 'bytes' ? undefined : Number(type.slice(5));
    if (size !== undefined && (hex.length - 2) / 2 !== size) invalidInput(field, `${type} is exactly ${size} bytes`);
    return hex;
  }
  return invalidInput(field, `arguments of type ${type} are not taken through the gateway`);
}

/** The typed values of `inputs` from the gateway's arguments; `/args/i` names a bad one. */
export function abiArguments(inputs: readonly ParamType[], args: Array<string | Uint8Array>, field = '/args'): unknown[] {
  if (args.length !== inputs.length) invalidInput(field, `takes ${inputs.length} argument(s), not ${args.length}`);
  return inputs.map((p, i) => abiValue(p, args[i]!, `${field}/${i}`));
}

/** A decoded ABI value as JSON: integers as decimal strings, bytes as 0x-hex, tuples as arrays. */
export function jsonOf(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Result) return value.toArray(false).map(jsonOf);
  if (Array.isArray(value)) return value.map(jsonOf);
  return value;
}

/** Decoded event arguments as a JSON object by parameter name (`arg<i>` when unnamed). */
export function namedJson(params: readonly ParamType[], values: Result): Record<string, unknown> {
  return Object.fromEntries(params.map((p, i) => [p.name || `arg${i}`, jsonOf(values[i])]));
}
