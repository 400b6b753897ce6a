import * as core from '@bsn/contract';
import { InvalidInputError, type Checkpoint } from '@bsn/contract';
import { LIMITS } from './limits.js';

/**
 * Input checks. The shared rules (ids, keys, values, args, checkpoints, pages) are core's,
 * so this adapter refuses exactly what every other adapter refuses, with the same JSON
 * pointers; the Ethereum-only ones (tx ids, block refs, timeouts) are here.
 */
export const {
  checkRequestId, checkAppId, checkAppRef, checkKey, checkPrefix, checkValue, checkArgs, checkMethod, checkLimit, checkKvWrite,
} = core.inputChecks(LIMITS);
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
