/**
 * Builds, signs, sends and finalises transactions: TaPoS on the last irreversible block, an
 * expiration after the head block's time, one signature by the BSN signer (canonical for K1),
 * and a result only once the block is irreversible, with the transaction's action traces.
 */
import { deadlineOf, type ErrorContext, type Signer } from '@bsn/contract';
import { expirationAt, packTransaction, taposOf, transactionId, type PackedAction, type TransactionHeader } from './antelope/index.js';
import type { ResolvedConfig } from './config.js';
import { isDuplicateTransaction, toBsnError } from './errors.js';
import { chainTime, Finality, type FinalBlock } from './finality.js';
import type { NodeApi, TraceAction } from './node-api.js';
import { signTransaction } from './signing.js';

/** A transaction the node accepted into a block it is building. */
export interface Sent {
  txId: string;
  /** ms since epoch */
  expiresAt: number;
}

/** A transaction whose block is irreversible, with the actions it executed. */
export interface Final {
  txId: string;
  block: FinalBlock;
  actions: TraceAction[];
}

export class Transactions {
  private readonly finality: Finality;

  constructor(
    readonly api: NodeApi,
    readonly config: ResolvedConfig,
  ) {
    this.finality = new Finality(api, config.pollIntervalMs);
  }

  /** A header anchored on the last irreversible block, expiring `seconds` after the head block's time. */
  async header(seconds = this.config.expireSeconds): Promise<{ header: TransactionHeader; expiresAt: number }> {
    const info = await this.api.info();
    const expiresAt = chainTime(info.head_block_time) + seconds * 1000;
    return { header: { expiration: expirationAt(expiresAt), ...taposOf(info.last_irreversible_block_id) }, expiresAt };
  }

  /** Signs with `signer` (hosted key), sends, and resolves once irreversible. */
  async submit(actions: PackedAction[], signer: Signer, ctx: Omit<ErrorContext, 'stage'>, timeoutMs?: number): Promise<Final> {
    const deadline = deadlineOf({ ...(timeoutMs && { timeoutMs }) }, this.config.submitTimeoutMs);
    let header: { header: TransactionHeader; expiresAt: number };
    try {
      header = await this.header();
    } catch (error) {
      throw toBsnError(error, { ...ctx, stage: 'prepare' });
    }
    let expiresAt = header.expiresAt;
    const signed = await signTransaction(this.config.chainId, signer, (attempt) => {
      // An earlier expiration per attempt gives another digest (see signing.ts).
      expiresAt = header.expiresAt - attempt * 1000;
      return packTransaction({ header: { ...header.header, expiration: expirationAt(expiresAt) }, actions });
    });
    const sent = await this.send(signed.packed, [signed.signature], expiresAt, ctx);
    return this.final(sent, deadline, ctx);
  }

  /** Sends a signed transaction; one the node has seen already is waited for, not sent twice. */
  async send(packed: Uint8Array, signatures: string[], expiresAt: number, ctx: Omit<ErrorContext, 'stage'>): Promise<Sent> {
    const txId = transactionId(packed);
    try {
      await this.api.sendTransaction(packed, signatures);
    } catch (error) {
      if (!isDuplicateTransaction(error)) throw toBsnError(error, { ...ctx, stage: 'submit', txId });
    }
    return { txId, expiresAt };
  }

  /** Waits until `sent`'s block is irreversible, then reads what it executed from the trace API. */
  async final(sent: Sent, deadline: number, ctx: Omit<ErrorContext, 'stage'>): Promise<Final> {
    try {
      const block = await this.finality.irreversible(sent.txId, sent.expiresAt, deadline, { ...ctx, stage: 'commit' });
      const trace = await this.api.transactionTrace(sent.txId);
      return { txId: sent.txId, block, actions: trace.actions };
    } catch (error) {
      throw toBsnError(error, { ...ctx, stage: 'commit', txId: sent.txId });
    }
  }

  /** The final form of a transaction sent earlier (by id), e.g. the first one of a repeated request. */
  async finalOf(txId: string, ctx: Omit<ErrorContext, 'stage'>, timeoutMs?: number): Promise<Final> {
    const deadline = deadlineOf({ ...(timeoutMs && { timeoutMs }) }, this.config.submitTimeoutMs);
    return this.final({ txId, expiresAt: Number.MAX_SAFE_INTEGER }, deadline, ctx);
  }
}
