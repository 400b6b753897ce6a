import { setMaxListeners } from 'node:events';
import { TimeoutError, UnavailableError } from '@bsn/contract';
import { num, type ChainReader, type RawReceipt } from './chain.js';
import { FRAMEWORK } from './describe.js';
import { ReceiptWaiter, type Mined } from './receipt-waiter.js';

/** First poll after a receipt was missing (the delay doubles while the total stays within one polling interval). */
const FIRST_POLL_MS = 2;

/**
 * Probabilistic finality: a transaction is final once `confirmations` further blocks sit on
 * top of its block and that block is still canonical. Waiting for confirmations (and after a
 * reorg) goes through one shared head poll per `pollingIntervalMs`, however many submits are
 * waiting; so does waiting for a transaction to be mined, after a few quicker polls of its
 * own receipt (see `untilMined`). Every wait has a deadline: on an automining dev chain (anvil,
 * geth --dev.period 0) blocks are produced only by transactions, so with confirmations > 0
 * and no traffic the wait ends in a TimeoutError that says so rather than hanging (mine
 * blocks, use a block time, or set confirmations to 0 there).
 */
export class Finality {
  private readonly lifetime = new AbortController();
  private tick?: { head: Promise<number>; users: number; cancel: AbortController };
  private readonly receipts: ReceiptWaiter;

  constructor(
    private readonly chain: ChainReader,
    readonly confirmations: number,
    private readonly pollingIntervalMs: number,
  ) {
    // Every waiting submit sleeps on this signal (each sleep removes its listener when it ends).
    setMaxListeners(0, this.lifetime.signal);
    this.receipts = new ReceiptWaiter(
      chain,
      (signal) => this.nextHead(signal),
      (txId) => this.deadlineError(txId, `inclusion of ${txId}`),
    );
  }

  /** The newest block the adapter treats as final. */
  async finalHead(): Promise<number> {
    return Math.max(0, (await this.chain.blockNumber()) - this.confirmations);
  }

  /**
   * Where a read of one state snapshot observes the newest final block: its number, or with
   * no confirmations due simply the node's `latest` block, which is that block (no round trip
   * for the number). Reads spanning several calls pin a number (`finalHead`) instead.
   */
  async finalTag(): Promise<number | 'latest'> {
    return this.confirmations === 0 ? 'latest' : this.finalHead();
  }

  /** Sleeps `ms`, waking early (rejecting) when the adapter closes or `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    const signals = signal ? AbortSignal.any([this.lifetime.signal, signal]) : this.lifetime.signal;
    return new Promise((resolve, reject) => {
      if (signals.aborted) return reject(closedError(signals));
      const timer = setTimeout(() => {
        signals.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(closedError(signals));
      };
      signals.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * The head after the next polling interval, one request shared by every waiter. A waiter
   * may withdraw (`signal`); once every waiter has, the poll is dropped, so an idle adapter
   * neither polls nor holds a timer.
   */
  private nextHead(signal?: AbortSignal): Promise<number> {
    if (!this.tick) {
      const cancel = new AbortController();
      const tick = {
        users: 0,
        cancel,
        head: this.sleep(this.pollingIntervalMs, cancel.signal)
          .then(() => this.chain.blockNumber())
          .finally(() => {
            if (this.tick === tick) this.tick = undefined;
          }),
      };
      // A dropped poll rejects with nobody left to hear it.
      tick.head.catch(() => undefined);
      this.tick = tick;
    }
    const tick = this.tick;
    tick.users++;
    if (!signal) return tick.head;
    return new Promise((resolve, reject) => {
      const withdraw = () => {
        if (--tick.users === 0) {
          tick.cancel.abort(signal.reason);
          if (this.tick === tick) this.tick = undefined;
        }
        reject(signal.reason);
      };
      if (signal.aborted) return withdraw();
      signal.addEventListener('abort', withdraw, { once: true });
      tick.head.then(resolve, reject).finally(() => signal.removeEventListener('abort', withdraw));
    });
  }

  /**
   * The receipt (with the head, one round trip) once the transaction is mined. A missing
   * receipt is asked for again after 2, 4, 8… ms while that adds up to at most one polling
   * interval: a transaction just broadcast is usually mined within milliseconds on dev chains
   * (anvil mines right after eth_sendRawTransaction returns), so it is found without sleeping
   * a whole interval. Longer waits join the shared receipt poll, so that many transactions in
   * flight cost a batch per new block instead of a request each per interval.
   */
  private async untilMined(txId: string, deadline: number): Promise<Mined> {
    for (let delay = Math.min(FIRST_POLL_MS, this.pollingIntervalMs), waited = 0; ; waited += delay, delay *= 2) {
      const { receipt, head } = await this.chain.receiptAndHead(txId);
      if (receipt?.blockHash) return { receipt, head };
      this.checkDeadline(deadline, txId, `inclusion of ${txId}`);
      if (waited + delay > this.pollingIntervalMs) return this.receipts.wait(txId, deadline);
      await this.sleep(delay);
    }
  }

  private checkDeadline(deadline: number, txId: string, what: string): void {
    if (Date.now() >= deadline) throw this.deadlineError(txId, what);
  }

  private deadlineError(txId: string, what: string): TimeoutError {
    const hint =
      this.confirmations > 0
        ? ` (waiting for ${this.confirmations} confirmation(s): an automining dev chain makes blocks only for transactions — give it a block time or mine blocks)`
        : '';
    return new TimeoutError(`${what} did not happen before the deadline; the outcome is unknown, retry with the same request id${hint}`, {
      stage: 'commit',
      txId,
      detail: { framework: FRAMEWORK, data: { txId, confirmations: this.confirmations } },
    });
  }

  /** The receipt once the tx is mined (any depth). */
  async mined(txId: string, deadline: number): Promise<RawReceipt> {
    return (await this.untilMined(txId, deadline)).receipt;
  }

  /**
   * The receipt once mined, `confirmations` deep and in a canonical block: the block at the
   * receipt's height is read after the confirmations are there and must be the receipt's.
   * The receipt comes with the head (one round trip); when the head is the receipt's block
   * and no confirmations are due (an automining chain, confirmations 0) that same answer is
   * the canonical check.
   */
  async final(txId: string, deadline: number): Promise<RawReceipt> {
    for (;;) {
      const { receipt, head } = await this.untilMined(txId, deadline);
      const height = num(receipt.blockNumber);
      let top = head ? num(head.number) : -1;
      // The node may have answered for the head before it made the receipt's block: ask again, no sleep.
      if (top < height) top = await this.chain.blockNumber();
      let waited = false;
      while (top < height + this.confirmations) {
        this.checkDeadline(deadline, txId, `finality of ${txId} (block ${height}, head ${top})`);
        top = await this.nextHead();
        waited = true;
      }
      const block = !waited && head && num(head.number) === height ? head : await this.chain.block(height);
      if (block?.hash === receipt.blockHash) return receipt;
      // The block was replaced (reorg): find where the tx is now, once the node has caught up.
      this.checkDeadline(deadline, txId, `finality of ${txId} (its block ${height} was replaced)`);
      await this.nextHead();
    }
  }

  close(): void {
    this.lifetime.abort(new UnavailableError('the adapter is closed', { detail: { framework: FRAMEWORK } }));
    this.receipts.rejectAll(this.lifetime.signal.reason);
  }
}

function closedError(signal: AbortSignal): unknown {
  return signal.reason ?? new UnavailableError('aborted', { detail: { framework: FRAMEWORK } });
}
