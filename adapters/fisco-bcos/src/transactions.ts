import { randomBytes } from 'node:crypto';
import { ConflictError, TimeoutError, isBsnError, type Signer } from '@bsn/contract';
import type { ResolvedConfig } from './config.js';
import { toBsnError } from './errors.js';
import { FiscoRpcError } from './node/fisco-rpc.js';
import type { ChainReader } from './node/chain-reader.js';
import type { ReceiptJson } from './node/node-json.js';
import type { CryptoSuite } from './protocol/crypto-suite.js';
import { signTransaction, type SignedTransaction } from './protocol/sign-transaction.js';
import { TransactionStatus } from './protocol/transaction-status.js';
import type { TransactionData } from './protocol/transaction.js';

/** How long the head a blockLimit is computed from may be reused (blocks come at most a few hundred a second). */
const HEAD_MAX_AGE_MS = 500;
const RECEIPT_POLL_MS = 50;

/**
 * Building, signing and sending FISCO transactions. `sendTransaction` answers only once the
 * transaction is in a committed block (the node waits for its receipt), so a receipt returned
 * here is final: FISCO's PBFT finality is immediate.
 *
 * Nonces are random 256-bit decimals, as FISCO's SDKs make them (the node refuses a nonce seen
 * in the last 600 blocks), so concurrent writes from one key need no ordering. blockLimit is
 * head + `blockLimitWindow` (≤ 600) from a head read at most 500 ms ago.
 */
export class Transactions {
  private head: { number: number; at: number } | undefined;

  constructor(
    private readonly suite: CryptoSuite,
    private readonly config: ResolvedConfig,
    private readonly chain: ChainReader,
  ) {}

  /** The data of a call of `to` (lowercase hex, no 0x; empty: a deploy). */
  async dataFor(to: string, input: Uint8Array, abi = ''): Promise<TransactionData> {
    return {
      version: 0,
      chainId: this.config.chainId,
      groupId: this.config.groupId,
      blockLimit: BigInt((await this.headNumber()) + this.config.blockLimitWindow),
      nonce: BigInt('0x' + randomBytes(32).toString('hex')).toString(),
      to: to.replace(/^0x/i, '').toLowerCase(),
      input,
      abi,
    };
  }

  /** Hosted-key mode: builds, signs and sends; a blockLimit gone stale on the way is rebuilt and re-signed once. */
  async signAndSend(to: string, input: Uint8Array, signer: Signer, what: string, deadline: number, abi = ''): Promise<ReceiptJson> {
    for (let attempt = 0; ; attempt++) {
      const signed = await signTransaction(this.suite, await this.dataFor(to, input, abi), signer);
      try {
        return await this.send(signed, what, deadline);
      } catch (error) {
        if (attempt === 0 && isBsnError(error) && error.detail?.code === TransactionStatus.BlockLimitCheckFail) {
          this.head = undefined;
          continue;
        }
        throw error;
      }
    }
  }

  /**
   * Sends a signed transaction and returns its receipt. When the answer is lost (deadline,
   * already pending, nonce seen), the transaction is looked for by hash until the deadline:
   * it may well be committed. A transaction not found by then is TimeoutError (outcome unknown).
   */
  async send(signed: SignedTransaction, what: string, deadline: number): Promise<ReceiptJson> {
    const ctx = { stage: 'submit' as const, txId: signed.hash, what };
    try {
      const receipt = await this.chain.rpc.group<ReceiptJson>('sendTransaction', [signed.raw, false], Math.max(100, deadline - Date.now()));
      this.observe(receipt.blockNumber);
      return receipt;
    } catch (error) {
      const lost =
        (isBsnError(error) && error.code === 'TIMEOUT') ||
        (error instanceof FiscoRpcError &&
          (error.code === TransactionStatus.AlreadyInTxPool || error.code === TransactionStatus.NonceCheckFail));
      if (!lost) throw toBsnError(error, ctx);
      const found = await this.awaitReceipt(signed.hash, deadline);
      if (found) return found;
      if (error instanceof FiscoRpcError && error.code === TransactionStatus.NonceCheckFail) {
        throw new ConflictError(`${what}: the transaction's nonce was used by another transaction: prepare it again`, {
          ...ctx,
          detail: { framework: 'fisco-bcos', code: error.code, message: error.rpcMessage },
        });
      }
      throw new TimeoutError(`${what}: no receipt for ${signed.hash} before the deadline: retry with the same request id`, ctx);
    }
  }

  private async awaitReceipt(txId: string, deadline: number): Promise<ReceiptJson | undefined> {
    while (Date.now() < deadline) {
      try {
        return await this.chain.receipt(txId);
      } catch {
        await new Promise((r) => setTimeout(r, RECEIPT_POLL_MS));
      }
    }
    return undefined;
  }

  async headNumber(): Promise<number> {
    if (this.head && Date.now() - this.head.at < HEAD_MAX_AGE_MS) return this.head.number;
    const number = await this.chain.blockNumber().catch((error: unknown) => {
      throw toBsnError(error, { stage: 'prepare', what: 'reading the block number' });
    });
    this.observe(number);
    return number;
  }

  private observe(number: number): void {
    if (!this.head || number >= this.head.number) this.head = { number, at: Date.now() };
  }
}
