import { InvalidInputError, inputChecks } from '@bsn/contract';
import { LIMITS } from './limits.js';

/**
 * Input checks. The shared rules (ids, keys, values, pages) are core's, bound to this adapter's
 * limits, so it refuses exactly what every other adapter refuses, with the same JSON pointers;
 * the Ethereum-only ones are here.
 */
export const { checkAppRef, checkValue, checkKvWrite, checkKvRead, checkKvListRequest } = inputChecks(LIMITS);

export function invalidInput(field: string, message: string): never {
  throw new InvalidInputError(`${field}: ${message}`, { field });
}

const TX_ID = /^0x[0-9a-fA-F]{64}$/;

export function checkTxId(txId: unknown, field = '/txId'): string {
  if (typeof txId !== 'string' || !TX_ID.test(txId)) invalidInput(field, 'an Ethereum transaction id is 0x followed by 64 hex digits');
  return txId.toLowerCase();
}
