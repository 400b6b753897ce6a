/**
 * The node's refusals as the standard's typed errors, keeping the chain's own error code, name
 * and message in `detail`. The preset contract tags its `check` messages (`bsn:unauthorized:`,
 * `bsn:not_found:`, `bsn:conflict:`, `bsn:invalid:`, `bsn:duplicate:`); the chain's own
 * authorization failures are UNAUTHORIZED; an unknown block is NOT_FOUND.
 */
import {
  ConflictError,
  InvalidInputError,
  NotFoundError,
  RejectedByChainError,
  UnauthorizedError,
  UnavailableError,
  errorMapping,
  isBsnError,
  type BsnError,
  type BsnErrorOptions,
  type FrameworkDetail,
} from '@bsn/contract';
import { AntelopeApiError, AntelopeUnreachableError } from './antelope/index.js';
import { FRAMEWORK } from './framework.js';

/** Chain error codes (libraries/chain/include/eosio/chain/exceptions.hpp) the mapping names. */
export const CHAIN_ERRORS = {
  assertMessage: 3050003,
  txDuplicate: 3040008,
  expiredTx: 3040005,
  unsatisfiedAuthorization: 3090003,
  missingAuth: 3090004,
  irrelevantAuth: 3090005,
  unknownBlock: 3100002,
  unknownTransaction: 3100003,
} as const;

const AUTH_CODES: number[] = [CHAIN_ERRORS.unsatisfiedAuthorization, CHAIN_ERRORS.missingAuth, CHAIN_ERRORS.irrelevantAuth];

/** A preset-contract refusal: its tag and its own words. */
export interface ContractRefusal {
  tag: 'unauthorized' | 'not_found' | 'conflict' | 'invalid' | 'duplicate';
  text: string;
}

const TAGGED = /bsn:(unauthorized|not_found|conflict|invalid|duplicate): ?(.*)$/s;

/** The contract's tagged refusal inside a node error, if that is what it is. */
export function contractRefusal(error: unknown): ContractRefusal | undefined {
  if (!(error instanceof AntelopeApiError) || error.code !== CHAIN_ERRORS.assertMessage) return undefined;
  for (const message of [...error.details, error.message]) {
    const match = TAGGED.exec(message);
    if (match) return { tag: match[1] as ContractRefusal['tag'], text: match[2]!.trim() };
  }
  return undefined;
}

/** Whether the node refused a transaction it has seen already (the same id is in flight or done). */
export const isDuplicateTransaction = (error: unknown): boolean =>
  error instanceof AntelopeApiError && error.code === CHAIN_ERRORS.txDuplicate;

function detailOf(error: AntelopeApiError, txId?: string): FrameworkDetail {
  return {
    framework: FRAMEWORK,
    ...(error.code !== undefined && { code: error.code }),
    message: error.message,
    data: {
      ...(error.errorName && { name: error.errorName }),
      status: error.status,
      endpoint: error.path,
      ...(error.body.error?.what && { what: error.body.error.what }),
      ...(txId && { txId }),
    },
  };
}

/** Maps anything an operation threw to one of the standard's typed errors, keeping the node's words. */
export const toBsnError = errorMapping(FRAMEWORK, (error, ctx, prefix): BsnError | undefined => {
  if (error instanceof AntelopeUnreachableError) {
    return new UnavailableError(`${prefix}the node did not answer: ${error.message}`, {
      detail: { framework: FRAMEWORK, message: error.message, data: { endpoint: error.path } },
      stage: ctx.stage,
      cause: error,
      ...(ctx.txId && { txId: ctx.txId }),
    });
  }
  if (!(error instanceof AntelopeApiError)) return undefined;
  const opts: BsnErrorOptions = { detail: detailOf(error, ctx.txId), stage: ctx.stage, cause: error, ...(ctx.txId && { txId: ctx.txId }) };
  const refusal = contractRefusal(error);
  if (refusal) {
    switch (refusal.tag) {
      case 'unauthorized':
        return new UnauthorizedError(`${prefix}${refusal.text}`, opts);
      case 'not_found':
        return new NotFoundError(`${prefix}${refusal.text}`, opts);
      case 'invalid':
        return new InvalidInputError(`${prefix}${refusal.text}`, opts);
      case 'conflict':
      case 'duplicate':
        return new ConflictError(`${prefix}${refusal.text}`, opts);
    }
  }
  if (error.code !== undefined && AUTH_CODES.includes(error.code)) {
    return new UnauthorizedError(`${prefix}the transaction's signatures do not satisfy its authorization: ${error.message}`, opts);
  }
  if (error.code === CHAIN_ERRORS.unknownBlock || error.code === CHAIN_ERRORS.unknownTransaction || error.status === 404) {
    return new NotFoundError(`${prefix}${error.message}`, opts);
  }
  if (error.status >= 500 && error.code === undefined) {
    return new UnavailableError(`${prefix}the node failed: ${error.message}`, opts);
  }
  return new RejectedByChainError(`${prefix}${error.message}`, opts);
});

export { isBsnError };
