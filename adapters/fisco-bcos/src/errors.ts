import {
  ConflictError,
  InvalidInputError,
  NotFoundError,
  RejectedByChainError,
  UnauthorizedError,
  UnavailableError,
  errorMapping,
  messagePrefix,
  type BsnError,
  type ErrorContext,
  type FrameworkDetail,
} from '@bsn/contract';
import type { DecodedRevert } from './contracts/chain-abi.js';
import { FRAMEWORK } from './framework.js';
import { FiscoRpcError } from './node/fisco-rpc.js';
import { TransactionStatus, statusName } from './protocol/transaction-status.js';

/**
 * FISCO's refusals as the standard's typed errors, always keeping FISCO's own code and words in
 * `detail` (`code`: the txpool status, receipt status or JSON-RPC code; `message`: the node's
 * text, or for a revert the status name and the decoded revert).
 */

/** A committed transaction whose receipt status is not 0: the contract refused (16) or the EVM failed. */
export function receiptFailure(status: number, revert: DecodedRevert | undefined, output: string, ctx: ErrorContext): BsnError {
  const message = `status ${status} (${statusName(status)})${revert ? `: ${revert.text}` : ''}`;
  const detail: FrameworkDetail = {
    framework: FRAMEWORK,
    code: status,
    message,
    data: {
      status,
      statusName: statusName(status),
      output,
      ...(revert && { revert: { name: revert.name, args: revert.args } }),
      ...(ctx.txId && { txId: ctx.txId }),
    },
  };
  const opts = { detail, stage: ctx.stage, ...(ctx.txId && { txId: ctx.txId }) };
  const prefix = messagePrefix(ctx);
  switch (revert?.name) {
    case 'NotMember':
      return new UnauthorizedError(`${prefix}${revert.args.account} is not a member of the app`, opts);
    case 'NotAdmin':
      return new UnauthorizedError(`${prefix}${revert.args.account} is not the app's admin`, opts);
    case 'AppFrozen':
      return new UnauthorizedError(`${prefix}the app is frozen: writes are refused`, opts);
    case 'UnknownApp':
      return new NotFoundError(`${prefix}no app ${JSON.stringify(revert.args.appId)} on this network`, opts);
    case 'KeyNotFound':
      return new NotFoundError(`${prefix}key ${JSON.stringify(revert.args.key)} does not exist`, opts);
    case 'InvalidInput':
      return new InvalidInputError(`${prefix}${revert.args.field}: ${revert.args.reason}`, {
        ...opts,
        stage: 'validate',
        field: String(revert.args.field),
      });
    case 'AppExists':
      return new ConflictError(`${prefix}app ${JSON.stringify(revert.args.appId)} exists already`, { ...opts, field: '/appId' });
    case 'AdminIsPermanentMember':
      return new ConflictError(`${prefix}the admin ${revert.args.admin} cannot be removed from the members`, opts);
    case 'RequestAlreadyExecuted':
      return new ConflictError(`${prefix}the request id was executed already`, { ...opts, field: '/requestId' });
    case 'SeqMismatch':
      return new ConflictError(`${prefix}another packet took seq ${revert.args.given} first (next is ${revert.args.expected})`, opts);
    // Delivery (contracts/lib/packet-delivery.yul)
    case 'NotOwner':
      return new UnauthorizedError(`${prefix}${revert.args.account} is not the operator of this group's registry`, opts);
    case 'NotRegistry':
      return new UnauthorizedError(`${prefix}${revert.args.account} is not the app's registry`, opts);
    case 'BelowThreshold':
      return new UnauthorizedError(`${prefix}attestations below threshold: ${revert.args.counted} of ${revert.args.needed}`, opts);
    case 'Unauthorized':
      return new UnauthorizedError(`${prefix}${revert.args.reason}`, opts);
    case 'Conflict':
      return new ConflictError(`${prefix}${revert.args.reason}`, opts);
    case 'NotFound':
      return new NotFoundError(`${prefix}${revert.args.reason}`, opts);
    default:
      return new RejectedByChainError(`${prefix}the transaction failed with ${message}`, opts);
  }
}

/** Maps anything an operation threw to one of the standard's typed errors, keeping the node's code and words. */
export const toBsnError = errorMapping(FRAMEWORK, (error, ctx, prefix) => {
  if (!(error instanceof FiscoRpcError)) return undefined;
  const detail: FrameworkDetail = {
    framework: FRAMEWORK,
    code: error.code,
    message: error.rpcMessage,
    data: { method: error.method, ...(ctx.txId && { txId: ctx.txId }) },
  };
  const opts = { detail, stage: ctx.stage, cause: error, ...(ctx.txId && { txId: ctx.txId }) };
  switch (error.code) {
    case TransactionStatus.InvalidSignature:
      return new UnauthorizedError(
        `${prefix}the node refused the signature (${statusName(error.code)}): not a valid signature of this chain's crypto mode`,
        opts,
      );
    case TransactionStatus.TxPoolIsFull:
      return new UnavailableError(`${prefix}the node's txpool is full (${statusName(error.code)})`, opts);
    case -32000:
    case -32005:
    case -32601:
      return new UnavailableError(`${prefix}the node does not serve this: ${error.rpcMessage}`, opts);
    default:
      return new RejectedByChainError(`${prefix}the node refused: ${error.message}`, opts);
  }
});

/** Whether a node error says the ledger has no such entry (3008 GetStorageError): a look-up of something absent. */
export const isNotFoundOnLedger = (error: unknown): boolean =>
  error instanceof FiscoRpcError && (error.code === 3008 || error.code === 3003);
