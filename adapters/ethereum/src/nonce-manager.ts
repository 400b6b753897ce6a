import { ConflictError, UnavailableError, isBsnError } from '@bsn/contract';
import { FRAMEWORK } from './describe.js';
import { isNonceError, toBsnError } from './errors.js';
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
  /** Sends queued so far, and sends done (broadcast or failed): those in between are ahead of a new one. */
  issued: number;
  settled: number;
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };
const settle = <T>(p: Promise<T>): Promise<Settled<T>> =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );

/**
 * How often a send takes the count again after its nonce was taken by a transaction this
 * manager did not send (another process with the same key: node instances of one fleet signing
 * for the same hosted user). Each resync waits a random few milliseconds more, so two managers
 * racing for one account do not stay in lockstep.
 */
const MAX_RESYNCS = 10;
/**
 * geth's transaction pool moves to a new head after the block is stored (asynchronously), so a
 * transaction sent right after the receipt of the one that funded its sender can be refused
 * for "insufficient funds … balance 0" by a pool still on the old head. For a sender this
 * adapter funded within `POOL_LAG_WINDOW_MS`, such a refusal is sent again after 25, 50, …
 * 400 ms (775 ms in all) before it counts: the same transaction, so no nonce is used twice.
 * Any other sender that lacks funds fails at once with the node's words.
 */
const POOL_LAG_DELAYS_MS = [25, 50, 100, 200, 400];
const POOL_LAG_WINDOW_MS = 10_000;
const INSUFFICIENT_FUNDS = /insufficient funds/i;

/**
 * Per-sender nonce allocation that survives concurrent submits.
 *
 * - Sends from one address are broadcast one at a time, in the order they were submitted,
 *   each with exactly the cached next nonce, so nonces reach the node in order; waiting for
 *   inclusion happens outside. The slow work is not in that critical section: a send's
 *   preparation (gas estimation, fees) starts at once, concurrently with the sends ahead of
 *   it, and so does its signing, with the nonce it will get if every send ahead goes
 *   through (`next` + sends ahead). When its turn comes and that guess is not the next nonce
 *   (a send ahead failed, the count was re-read), the speculative signature is dropped
 *   unsent and the transaction is signed again with the right nonce. So concurrent sends
 *   pipeline, and what is broadcast is exactly what one-at-a-time sending would broadcast.
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
  /** Senders funded lately (lower-case address → when), whose pool refusals may be lag. */
  private readonly fundedAt = new Map<string, number>();

  constructor(private readonly rpc: RpcClient) {}

  private stateOf(address: string): AccountState {
    const key = address.toLowerCase();
    let state = this.accounts.get(key);
    if (!state) {
      state = { tail: Promise.resolve(), issued: 0, settled: 0 };
      this.accounts.set(key, state);
    }
    return state;
  }

  /**
   * Runs `fn` under the address's lock, after every send queued before it. `fn` counts itself
   * settled (`state.settled++`) when done, best in the same step in which it updates `next`:
   * the count only feeds the speculative nonce guesses, so a late count costs a signature.
   */
  private exclusive<T>(state: AccountState, fn: (state: AccountState) => Promise<T>): Promise<T> {
    state.issued++;
    const run = state.tail.then(() => fn(state));
    state.tail = run.then(
      () => undefined,
      () => undefined,
    );
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

  /** `address` was just funded: its next broadcasts may meet a pool that has not seen the funds yet. */
  funded(address: string): void {
    const now = Date.now();
    for (const [a, at] of this.fundedAt) if (now - at > POOL_LAG_WINDOW_MS) this.fundedAt.delete(a);
    this.fundedAt.set(address.toLowerCase(), now);
  }

  private justFunded(address: string): boolean {
    const at = this.fundedAt.get(address.toLowerCase());
    return at !== undefined && Date.now() - at <= POOL_LAG_WINDOW_MS;
  }

  /** 'sent' once the node has the tx; 'nonce' when its nonce was taken by another tx. */
  private async broadcast(address: string, tx: SignedTx): Promise<'sent' | 'nonce'> {
    if (!this.justFunded(address)) return this.broadcastOnce(tx);
    for (const delay of POOL_LAG_DELAYS_MS) {
      try {
        return await this.broadcastOnce(tx);
      } catch (error) {
        if (!(error instanceof JsonRpcError && INSUFFICIENT_FUNDS.test(error.rpcMessage))) throw error;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
    return this.broadcastOnce(tx);
  }

  private async broadcastOnce(tx: SignedTx): Promise<'sent' | 'nonce'> {
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
   * Queues a send from `address` (its place is taken now, in call order), runs `prepare`
   * (estimation, fees) at once, lets `build` sign the transaction with the nonce and
   * broadcasts it in turn. Returns once the node accepted it; a failure of `prepare` or
   * `build` uses no nonce.
   */
  send<P>(
    address: string,
    prepare: () => Promise<P>,
    build: (nonce: number, prepared: P) => Promise<SignedTx>,
  ): Promise<SignedTx & { nonce: number; prepared: P }> {
    const state = this.stateOf(address);
    const position = state.issued;
    const prepared = settle(Promise.resolve().then(prepare));
    // Sign before our turn with the nonce we get if every send ahead goes through (unknown before the first count).
    const early = prepared.then((p) => {
      if (!p.ok || state.next === undefined) return undefined;
      const guess = state.next + (position - state.settled);
      return { guess, signed: settle(Promise.resolve().then(() => build(guess, p.value))) };
    });
    return this.exclusive(state, async () => {
      try {
        const p = await prepared;
        if (!p.ok) throw p.error;
        const speculative = await early;
        for (let attempt = 0; ; attempt++) {
          state.next ??= await this.pendingCount(address);
          const nonce = state.next;
          let tx: SignedTx;
          if (attempt === 0 && speculative?.guess === nonce) {
            const signed = await speculative.signed;
            if (!signed.ok) throw signed.error;
            tx = signed.value;
          } else {
            tx = await build(nonce, p.value);
          }
          let outcome: 'sent' | 'nonce';
          try {
            outcome = await this.broadcast(address, tx);
          } catch (error) {
            if (isBsnError(error, 'UNAVAILABLE')) delete state.next;
            throw toBsnError(error, { stage: 'submit', what: 'broadcasting the transaction' });
          }
          if (outcome === 'sent') {
            state.next = nonce + 1;
            return { ...tx, nonce, prepared: p.value };
          }
          delete state.next;
          if (attempt >= MAX_RESYNCS) {
            // Nothing of ours went out: a retry with the same request id is safe, so UNAVAILABLE (retryable).
            throw new UnavailableError(`nonce ${nonce} of ${address} kept being taken by other transactions; try again`, {
              stage: 'submit',
              detail: { framework: FRAMEWORK, data: { address, nonce } },
            });
          }
          await new Promise((r) => setTimeout(r, Math.random() * 10 * (attempt + 1)));
        }
      } finally {
        state.settled++;
      }
    });
  }

  /**
   * Broadcasts a transaction signed elsewhere (user-key mode), whose nonce cannot change.
   * ConflictError when that nonce is no longer (or not yet) the account's next one.
   */
  sendFixed(address: string, nonce: number, tx: SignedTx): Promise<SignedTx> {
    return this.exclusive(this.stateOf(address), async (state) => {
      try {
        return await this.broadcastFixed(state, address, nonce, tx);
      } finally {
        state.settled++;
      }
    });
  }

  private async broadcastFixed(state: AccountState, address: string, nonce: number, tx: SignedTx): Promise<SignedTx> {
    const pending = await this.pendingCount(address);
    if (nonce < pending) {
      if (await this.known(tx.hash)) return tx;
      throw stale(address, nonce, pending);
    }
    if (nonce > pending) throw stale(address, nonce, pending);
    let outcome: 'sent' | 'nonce';
    try {
      outcome = await this.broadcast(address, tx);
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
  }

  /** Forgets cached nonces (e.g. after the node was reset). */
  reset(): void {
    this.accounts.clear();
  }
}

function stale(address: string, nonce: number, next: number): ConflictError {
  return new ConflictError(`the prepared transaction uses nonce ${nonce} but ${address}'s next nonce is ${next}: prepare it again`, {
    stage: 'submit',
    detail: { framework: FRAMEWORK, message: 'stale nonce', data: { address, nonce, next } },
  });
}
