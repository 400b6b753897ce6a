/**
 * The contract's input rules (`validation/input.ts`) as an adapter calls them: the preset data
 * contract's requests checked whole (a write, a read, a list), and every rule bound to the
 * adapter's limits by `inputChecks`, so the binding is written once.
 */
import type { AdapterLimits } from '../contract/describe.js';
import type { AppRef } from '../contract/lifecycle.js';
import type { KvWrite } from '../contract/preset-kv.js';
import { decodeKeyCursor } from '../encoding/kv-cursor.js';
import { InvalidInputError } from '../errors/errors.js';
import {
  checkAppRef,
  checkArgs,
  checkId,
  checkKey,
  checkMethod,
  checkPageLimit,
  checkPrefix,
  checkRequestId,
  checkValue,
} from '../validation/input.js';

type Limits = Pick<AdapterLimits, 'maxKeyBytes' | 'maxValueBytes' | 'maxPageSize'>;

/** The parts every preset write names: its app, request id and key (the value is `put`'s own). */
export function checkKvWrite(
  request: KvWrite,
  limits: Pick<AdapterLimits, 'maxKeyBytes'>,
): { appId: string; requestId: string; key: string } {
  if (typeof request !== 'object' || request === null) throw new InvalidInputError('a write request is an object', { field: '' });
  return { appId: checkAppRef(request.app).appId, requestId: checkRequestId(request.requestId), key: checkKey(request.key, limits) };
}

/** `get(app, key)` and `history(app, key)`: the app (`/app/appId`) and the key (`/key`). */
export function checkKvRead(app: AppRef, key: string, limits: Pick<AdapterLimits, 'maxKeyBytes'>): { appId: string; key: string } {
  return { appId: checkAppRef(app).appId, key: checkKey(key, limits) };
}

/** A `list` request after its checks. */
export interface KvListPlan {
  appId: string;
  /** May be empty: every key. */
  prefix: string;
  limit: number;
  /** The key the page starts strictly after, from the cursor; absent on the first page. */
  after?: string;
}

/**
 * `list(app, prefix, page)`: the app, the prefix (`/prefix`), the page an object (`/page`), its
 * limit (`/limit`, default `maxPageSize`) and its cursor (`/cursor`, one `encodeKeyCursor` made
 * for this prefix).
 */
export function checkKvListRequest(
  app: AppRef,
  prefix: string,
  page: { limit?: number; cursor?: string } | undefined,
  limits: Pick<AdapterLimits, 'maxKeyBytes' | 'maxPageSize'>,
): KvListPlan {
  const { appId } = checkAppRef(app);
  checkPrefix(prefix, limits);
  const p: unknown = page === undefined ? {} : page;
  if (typeof p !== 'object' || p === null) throw new InvalidInputError('/page: a page is { limit?, cursor? }', { field: '/page' });
  const { limit, cursor } = p as { limit?: unknown; cursor?: unknown };
  const checkedLimit = checkPageLimit(limit, limits);
  const after = cursor === undefined ? undefined : decodeKeyCursor(cursor, prefix);
  return { appId, prefix, limit: checkedLimit, ...(after !== undefined && { after }) };
}

/**
 * The rules bound to one adapter's limits, each with its usual JSON pointer: what an adapter's
 * own `validation.ts` re-exports.
 */
export function inputChecks(limits: Limits) {
  return {
    checkRequestId: (requestId: unknown, field = '/requestId'): string => checkRequestId(requestId, field),
    checkAppId: (appId: unknown, field = '/appId'): string => checkId(appId, field),
    checkAppRef: (app: unknown, field = '/app'): string => checkAppRef(app, field).appId,
    checkKey: (key: unknown, field = '/key'): string => checkKey(key, limits, field),
    checkPrefix: (prefix: unknown, field = '/prefix'): string => checkPrefix(prefix, limits, field),
    checkValue: (value: unknown, field = '/value'): Uint8Array => checkValue(value, limits, field),
    checkArgs: (args: unknown, field = '/args'): Array<string | Uint8Array> => checkArgs(args, field),
    checkMethod: (method: unknown, field = '/method'): string => checkMethod(method, field),
    checkLimit: (limit: unknown, field = '/limit'): number => checkPageLimit(limit, limits, field),
    checkKvWrite: (request: KvWrite) => checkKvWrite(request, limits),
    checkKvRead: (app: AppRef, key: string) => checkKvRead(app, key, limits),
    checkKvListRequest: (app: AppRef, prefix: string, page?: { limit?: number; cursor?: string }) =>
      checkKvListRequest(app, prefix, page, limits),
  };
}
