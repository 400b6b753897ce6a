import { ConflictError, isBsnError } from '@bsn/core';
import { FRAMEWORK, isNonceError, toBsnError } from './errors.js';
import { JsonRpcError, type RpcClient } from './rpc.js';

/** A signed transaction ready for eth_sendRawTransaction. */
export interface SignedTx {
  hash: string;
  raw: string;
}

interface AccountState {
  /** Next nonce to use; undefined: ask the node (`pending` count) before the next send. */
  next?: number;
  /** Tail of the per-account queue: every send waits for the previous one to be broadcast. */
  tail: Promise<void>;
}

const MAX_RESYNCS = 5;

/**
 * Per-sender nonce allocation that survives concurrent submits.
 *
 * - Sends from one address are serialised from nonce allocation to broadcast (signing
 *   included), so nonces reach the node in order; waiting for inclusion happens outside.
 * - The next nonce is cached after the first `eth_getTransactionCount(…, 'pending')` and
 *   advanced only once the node has accepted a transaction: a failure before broadcast
 *   (signer refused, node rejected it outright) leaves the nonce for the next send, so no
 *   gap is ever created by this process.
 * - "nonce too low", "replacement transaction underpriced" and the like mean someone else
 *   used the nonce (another process with the same key): the cache is dropped, the count is
 *   read again and the transaction is signed anew with the fresh nonce.
 * - A broadcast whose answer is lost (timeout, connection reset) is checked by hash: if the
 *   node knows the tx it was sent; otherwise the cache is dropped so the next send resyncs.
 */
export class NonceManager {
  private readonly accounts = new Map<string, AccountState>();

  constructor(private readonly rpc: RpcClient) {}

  private exclusive<T>(address: string, fn: (state: AccountState) => Promise<T>): Promise<T> {
    const key = address.toLowerCase();
    let state = this.accounts.get(key);
    if (!state) {
      state = { tail: Promise.resolve() };
      this.accounts.set(key, state);
    }
    const s = state;
    const run = s.tail.then(() => fn(s));
    s.tail = run.then(() => undefined, () => undefined);
    return run;
  }

  private async pendingCount(address: string): Promise<number> {
    return Number(BigInt(await this.rpc.call<string>('eth_getTransactionCount', [address, 'pending'])));
  }

  private async known(hash: string): Promise<boolean> {
    try {
      return (await this.rpc.call<unknown>('eth_getTransactionByHash', [hash])) !== null;
    } catch {
      return false;
    }
  }

  /** 'sent' once the node has the tx; 'nonce' when its nonce was taken by another tx. */
  private async broadcast(tx: SignedTx): Promise<'sent' | 'nonce'> {
    try {
      const hash = await this.rpc.call<string>('eth_sendRawTransaction', [tx.raw]);
      if (hash.toLowerCase() !== tx.hash.toLowerCase()) {
        throw new Error(`the node reports hash ${hash} for transaction ${tx.hash}`);
      }
      return 'sent';
    } catch (error) {
      if (error instanceof JsonRpcError && /already known|known transaction|already imported/i.test(error.rpcMessage)) return 'sent';
      if (isNonceError(error)) return (await this.known(tx.hash)) ? 'sent' : 'nonce';
      if (isBsnError(error, 'UNAVAILABLE') && (await this.known(tx.hash))) return 'sent';
      throw error;
    }
  }

  /**
   * Allocates the next nonce of `address`, lets `build` sign a transaction with it and
   * broadcasts it, under the address's lock. Returns once the node accepted it.
   */
  send(address: string, build: (nonce: number) => Promise<SignedTx>): Promise<SignedTx & { nonce: number }> {
    return this.exclusive(address, async (state) => {
      for (let attempt = 0; ; attempt++) {
        state.next ??= await this.pendingCount(address);
        const nonce = state.next;
        const tx = await build(nonce);
        let outcome: 'sent' | 'nonce';
        try {
          outcome = await this.broadcast(tx);
        } catch (error) {
          if (isBsnError(error, 'UNAVAILABLE')) delete state.next;
          throw toBsnError(error, { stage: 'submit', what: 'broadcasting the transaction' });
        }
        if (outcome === 'sent') {
          state.next = nonce + 1;
          return { ...tx, nonce };
        }
        delete state.next;
        if (attempt >= MAX_RESYNCS) {
          throw new ConflictError(`nonce ${nonce} of ${address} kept being taken by other transactions; try again`, {
            stage: 'submit', detail: { framework: FRAMEWORK, data: { address, nonce } },
          });
        }
      }
    });
  }

  /**
   * Broadcasts a transaction signed elsewhere (user-key mode), whose nonce cannot change.
   * ConflictError when that nonce is no longer (or not yet) the account's next one.
   */
  sendFixed(address: string, nonce: number, tx: SignedTx): Promise<SignedTx> {
    return this.exclusive(address, async (state) => {
      const pending = await this.pendingCount(address);
      if (nonce < pending) {
        if (await this.known(tx.hash)) return tx;
        throw stale(address, nonce, pending);
      }
      if (nonce > pending) throw stale(address, nonce, pending);
      let outcome: 'sent' | 'nonce';
      try {
        outcome = await this.broadcast(tx);
      } catch (error) {
        delete state.next;
        throw toBsnError(error, { stage: 'submit', what: 'broadcasting the prepared transaction' });
      }
      if (outcome === 'nonce') {
        delete state.next;
        throw stale(address, nonce, pending);
      }
      state.next = nonce + 1;
      return tx;
    });
  }

  /** Forgets cached nonces (e.g. after the node was reset). */
  reset(): void {
    this.accounts.clear();
  }
}

function stale(address: string, nonce: number, next: number): ConflictError {
  return new ConflictError(
    `the prepared transaction uses nonce ${nonce} but ${address}'s next nonce is ${next}: prepare it again`,
    { stage: 'submit', detail: { framework: FRAMEWORK, message: 'stale nonce', data: { address, nonce, next } } },
  );
}
