import * as core from '@bsn/core';
import { InvalidInputError, type Checkpoint } from '@bsn/core';
import { LIMITS } from './limits.js';

/**
 * Input checks. The shared rules (ids, keys, values, args, checkpoints, pages) are core's,
 * so this adapter refuses exactly what every other adapter refuses, with the same JSON
 * pointers; the Ethereum-only ones (tx ids, block refs, timeouts) are here.
 */
export const checkRequestId = (requestId: unknown, field = '/requestId'): string => core.checkRequestId(requestId, field);
export const checkAppId = (appId: unknown, field = '/appId'): string => core.checkId(appId, field);
export const checkAppRef = (app: unknown, field = '/app'): string => core.checkAppRef(app, field).appId;
export const checkKey = (key: unknown, field = '/key'): string => core.checkKey(key, LIMITS, field);
export const checkPrefix = (prefix: unknown, field = '/prefix'): string => core.checkPrefix(prefix, LIMITS, field);
export const checkValue = (value: unknown, field = '/value'): Uint8Array => core.checkValue(value, LIMITS, field);
export const checkArgs = (args: unknown, field = '/args'): Array<string | Uint8Array> => core.checkArgs(args, field);
export const checkMethod = (method: unknown, field = '/method'): string => core.checkMethod(method, field);
export const checkLimit = (limit: unknown, field = '/limit'): number => core.checkPageLimit(limit, LIMITS, field);
export const checkCheckpoint = (cp: unknown, field = '/after'): Checkpoint => {
  const checked = core.checkCheckpoint(cp, field);
  if (!checked) throw new InvalidInputError(`${field}: must be { block, index }`, { field });
  return checked;
};

const TX_ID = /^0x[0-9a-fA-F]{64}$/;

function invalid(field: string, message: string): never {
  throw new InvalidInputError(`${field}: ${message}`, { field });
}

export function checkTxId(txId: unknown, field = '/txId'): string {
  if (typeof txId !== 'string' || !TX_ID.test(txId)) invalid(field, 'an Ethereum transaction id is 0x followed by 64 hex digits');
  return txId.toLowerCase();
}

export const { checkBlockRef, checkTimeout } = core;
