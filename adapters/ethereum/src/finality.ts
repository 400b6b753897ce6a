import { TimeoutError, UnavailableError } from '@bsn/core';
import { num, type ChainReader, type RawReceipt } from './chain.js';
import { FRAMEWORK } from './errors.js';

/**
 * Probabilistic finality: a transaction is final once `confirmations` further blocks sit on
 * top of its block and that block is still canonical. All waiting goes through one shared
 * head poll per `pollingIntervalMs`, however many submits are waiting, and every wait has a
 * deadline: on an automining dev chain (anvil, geth --dev.period 0) blocks are produced
 * only by transactions, so with confirmations > 0 and no traffic the wait ends in a
 * TimeoutError that says so rather than hanging (mine blocks, use a block time, or set
 * confirmations to 0 there).
 */
export class Finality {
  private readonly lifetime = new AbortController();
  private tick?: Promise<number>;

  constructor(
    private readonly chain: ChainReader,
    readonly confirmations: number,
    private readonly pollingIntervalMs: number,
  ) {}

  /** The newest block the adapter treats as final. */
  async finalHead(): Promise<number> {
    return Math.max(0, (await this.chain.blockNumber()) - this.confirmations);
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

  /** The head after the next polling interval, one request shared by every waiter. */
  private nextHead(): Promise<number> {
    this.tick ??= this.sleep(this.pollingIntervalMs)
      .then(() => this.chain.blockNumber())
      .finally(() => {
        this.tick = undefined;
      });
    return this.tick;
  }

  private checkDeadline(deadline: number, txId: string, what: string): void {
    if (Date.now() >= deadline) {
      const hint = this.confirmations > 0
        ? ` (waiting for ${this.confirmations} confirmation(s): an automining dev chain makes blocks only for transactions — give it a block time or mine blocks)`
        : '';
      throw new TimeoutError(`${what} did not happen before the deadline; the outcome is unknown, retry with the same request id${hint}`, {
        stage: 'commit', txId, detail: { framework: FRAMEWORK, data: { txId, confirmations: this.confirmations } },
      });
    }
  }

  /** The receipt once the tx is mined (any depth). */
  async mined(txId: string, deadline: number): Promise<RawReceipt> {
    for (;;) {
      const receipt = await this.chain.receipt(txId);
      if (receipt?.blockHash) return receipt;
      this.checkDeadline(deadline, txId, `inclusion of ${txId}`);
      await this.nextHead();
    }
  }

  /** The receipt once mined, `confirmations` deep and in a canonical block. */
  async final(txId: string, deadline: number): Promise<RawReceipt> {
    for (;;) {
      const receipt = await this.mined(txId, deadline);
      const height = num(receipt.blockNumber);
      let head = await this.chain.blockNumber();
      while (head < height + this.confirmations) {
        this.checkDeadline(deadline, txId, `finality of ${txId} (block ${height}, head ${head})`);
        head = await this.nextHead();
      }
      const block = await this.chain.block(height);
      if (block?.hash === receipt.blockHash) return receipt;
      // The block was replaced (reorg): find where the tx is now, once the node has caught up.
      this.checkDeadline(deadline, txId, `finality of ${txId} (its block ${height} was replaced)`);
      await this.nextHead();
    }
  }

  close(): void {
    this.lifetime.abort(new UnavailableError('the adapter is closed', { detail: { framework: FRAMEWORK } }));
  }
}

function closedError(signal: AbortSignal): unknown {
  return signal.reason ?? new UnavailableError('aborted', { detail: { framework: FRAMEWORK } });
}
