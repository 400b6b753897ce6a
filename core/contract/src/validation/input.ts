import { InvalidInputError } from '../errors/errors.js';
import type { AdapterLimits } from '../contract/describe.js';
import type { Checkpoint } from '../contract/gateway.js';

/**
 * The contract's input rules, shared so every adapter refuses the same inputs with the
 * same field names. Each check throws InvalidInputError whose `field` is a JSON pointer.
 */
const ID = /^[A-Za-z0-9._:-]{1,128}$/;

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return 'bytes';
  return Array.isArray(value) ? 'array' : typeof value;
}

function fail(field: string, message: string): never {
  throw new InvalidInputError(`${field}: ${message}`, { field });
}

export function checkId(value: unknown, field: string): string {
  if (typeof value !== 'string') fail(field, `must be a string (got ${typeName(value)})`);
  if (!ID.test(value)) fail(field, 'must be 1–128 characters of A–Z a–z 0–9 . _ : -');
  return value;
}

export const checkRequestId = (value: unknown, field = '/requestId') => checkId(value, field);

export function checkAppRef(value: unknown, field = '/app'): { appId: string } {
  if (typeof value !== 'object' || value === null) fail(field, `must be an object with appId (got ${typeName(value)})`);
  return { appId: checkId((value as { appId?: unknown }).appId, `${field}/appId`) };
}

export function checkKey(value: unknown, limits: Pick<AdapterLimits, 'maxKeyBytes'>, field = '/key'): string {
  if (typeof value !== 'string') fail(field, `must be a string (got ${typeName(value)})`);
  if (value.length === 0) fail(field, 'must not be empty');
  if (value.includes('\u0000')) fail(field, 'must not contain U+0000');
  if (!isWellFormed(value)) fail(field, 'must be valid Unicode (no lone surrogates)');
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > limits.maxKeyBytes) fail(field, `is ${bytes} UTF-8 bytes, more than the ${limits.maxKeyBytes} allowed`);
  return value;
}

/** A prefix may be empty (all keys) but otherwise follows the key rules. */
export function checkPrefix(value: unknown, limits: Pick<AdapterLimits, 'maxKeyBytes'>, field = '/prefix'): string {
  if (value === '') return '';
  return checkKey(value, limits, field);
}

export function checkValue(value: unknown, limits: Pick<AdapterLimits, 'maxValueBytes'>, field = '/value'): Uint8Array {
  if (!(value instanceof Uint8Array)) fail(field, `must be bytes (got ${typeName(value)})`);
  if (value.length === 0) fail(field, 'must not be empty (an empty write would be a delete on Fabric)');
  if (value.length > limits.maxValueBytes) fail(field, `is ${value.length} bytes, more than the ${limits.maxValueBytes} allowed`);
  return value;
}

export function checkMethod(value: unknown, field = '/method'): string {
  if (typeof value !== 'string') fail(field, `must be a string (got ${typeName(value)})`);
  if (!/^[A-Za-z_][A-Za-z0-9_.]{0,63}$/.test(value)) fail(field, 'must be an identifier of 1–64 characters');
  return value;
}

export function checkArgs(value: unknown, field = '/args'): Array<string | Uint8Array> {
  if (!Array.isArray(value)) fail(field, `must be an array (got ${typeName(value)})`);
  value.forEach((arg, i) => {
    if (typeof arg !== 'string' && !(arg instanceof Uint8Array)) fail(`${field}/${i}`, `must be a string or bytes (got ${typeName(arg)})`);
  });
  return value as Array<string | Uint8Array>;
}

export function checkBlockNumber(value: unknown, field = '/block'): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    fail(field, `must be a non-negative integer (got ${typeName(value) === 'number' ? value : typeName(value)})`);
  }
  return value;
}

/** `'latest'` or a block number. */
export function checkBlockRef(value: unknown, field = '/block'): number | 'latest' {
  return value === 'latest' ? value : checkBlockNumber(value, field);
}

/** An optional deadline in ms: a positive integer. */
export function checkTimeout(value: unknown, field = '/timeoutMs'): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) fail(field, 'a timeout is a positive integer of ms');
  return value;
}

export function checkCheckpoint(value: unknown, field = '/after'): Checkpoint | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) fail(field, `must be { block, index } (got ${typeName(value)})`);
  const { block, index } = value as { block?: unknown; index?: unknown };
  return { block: checkBlockNumber(block, `${field}/block`), index: checkBlockNumber(index, `${field}/index`) };
}

export function checkPageLimit(value: unknown, limits: Pick<AdapterLimits, 'maxPageSize'>, field = '/limit'): number {
  if (value === undefined) return limits.maxPageSize;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > limits.maxPageSize) {
    fail(field, `must be an integer from 1 to ${limits.maxPageSize}`);
  }
  return value;
}

function isWellFormed(s: string): boolean {
  // String.prototype.isWellFormed arrives in Node 20; keep a fallback for older runtimes.
  const native = (s as unknown as { isWellFormed?: () => boolean }).isWellFormed;
  if (native) return native.call(s);
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}
