/**
 * When a sent transaction is final: its block is irreversible (at or below the node's last
 * irreversible block). Read from `get_transaction_status` (finality status tracking); a node
 * that does not track it is asked through the trace API, which knows a transaction only once
 * its block is irreversible.
 */
import { RejectedByChainError, TimeoutError, type ErrorContext } from '@bsn/contract';
import { AntelopeApiError } from './antelope/index.js';
import { FRAMEWORK } from './framework.js';
import type { NodeApi, TransactionStatus } from './node-api.js';

export interface FinalBlock {
  number: number;
  hash: string;
  /** ms since epoch, the block's own time */
  timestamp: number;
}

/** A chain time (`2026-12-06T09:05:02.500`, UTC without a zone) in ms since epoch. */
export const chainTime = (text: string): number => Date.parse(text.endsWith('Z') ? text : `${text}Z`);

/** Past its expiration (plus clock skew between us and the node), no block can include a transaction. */
const EXPIRY_MARGIN_MS = 3_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class Finality {
  constructor(
    private readonly api: NodeApi,
    private readonly pollMs: number,
  ) {}

  /**
   * Resolves once `txId`'s block is irreversible. Rejects when the node says it failed, when
   * it expired unseen (it can no longer be included), or with TimeoutError at `deadline`.
   */
  async irreversible(txId: string, expiresAt: number, deadline: number, ctx: ErrorContext): Promise<FinalBlock> {
    for (;;) {
      const status = await this.api.transactionStatus(txId);
      if (status.state === 'IRREVERSIBLE' && status.block_number !== undefined && status.block_id && status.block_timestamp) {
        return { number: status.block_number, hash: status.block_id, timestamp: chainTime(status.block_timestamp) };
      }
      if (status.state === 'FAILED') {
        throw new RejectedByChainError(`${ctx.what ?? 'the transaction'}: the node reports it failed`, {
          stage: 'commit',
          txId,
          detail: { framework: FRAMEWORK, code: status.state, message: 'transaction status FAILED', data: { ...status } },
        });
      }
      if (status.state === 'UNKNOWN') {
        const traced = await this.fromTraces(txId, status);
        if (traced) return traced;
        if (Date.now() > expiresAt + EXPIRY_MARGIN_MS) {
          throw new RejectedByChainError(`${ctx.what ?? 'the transaction'}: it expired before any block included it`, {
            stage: 'commit',
            txId,
            detail: { framework: FRAMEWORK, code: 'UNKNOWN', message: 'expired without being included', data: { ...status } },
          });
        }
      }
      if (Date.now() > deadline) {
        throw new TimeoutError(`${ctx.what ?? 'the transaction'}: not irreversible by the deadline (last state ${status.state})`, {
          stage: 'commit',
          txId,
          detail: { framework: FRAMEWORK, code: status.state, message: `state ${status.state}`, data: { ...status } },
        });
      }
      await sleep(this.pollMs);
    }
  }

  /** A node without finality tracking: the trace API has the transaction once it is irreversible. */
  private async fromTraces(txId: string, status: TransactionStatus): Promise<FinalBlock | undefined> {
    try {
      const trace = await this.api.transactionTrace(txId);
      if (trace.block_num > status.irreversible_number) return undefined;
      const block = await this.api.block(trace.block_num);
      return { number: block.block_num, hash: block.id, timestamp: chainTime(block.timestamp) };
    } catch (error) {
      if (error instanceof AntelopeApiError && error.status === 404) return undefined;
      throw error;
    }
  }
}
