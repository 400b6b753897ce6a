import type { ChainReader, RawBlock, RawReceipt } from './chain.js';

export interface Mined {
  receipt: RawReceipt;
  head: RawBlock | null;
}

/** Receipts asked for in one JSON-RPC batch; more go out as several batches. */
const RECEIPTS_PER_BATCH = 200;

interface Waiter {
  txId: string;
  /** The head up to which this tx's receipt is known to be missing (-1: not known yet). */
  seen: number;
  resolve(mined: Mined): void;
  reject(error: unknown): void;
  timer: NodeJS.Timeout;
}

/**
 * Transactions waiting to be mined, looked up together: one loop waits for the shared head
 * poll and, when the head has moved past what a waiter last saw, asks for the receipts of
 * all such waiters in one batch. The cost follows new blocks, not pending txs × polls. The
 * loop exists only while someone waits.
 */
export class ReceiptWaiter {
  private readonly waiters = new Set<Waiter>();
  /** Aborted when the waiters run out: the running loop withdraws from the head poll and ends. */
  private run?: AbortController;

  constructor(
    private readonly chain: ChainReader,
    private readonly nextHead: (signal: AbortSignal) => Promise<number>,
    private readonly expired: (txId: string) => Error,
  ) {}

  wait(txId: string, deadline: number): Promise<Mined> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { txId, seen: -1, resolve, reject, timer: undefined as unknown as NodeJS.Timeout };
      // Its own timer, so one waiter's deadline does not wait on a slow batch or on others.
      waiter.timer = setTimeout(() => this.settle(waiter, () => reject(this.expired(txId))), Math.max(0, deadline - Date.now()));
      this.waiters.add(waiter);
      if (!this.run) void this.loop((this.run = new AbortController()).signal);
    });
  }

  rejectAll(error: unknown): void {
    for (const w of [...this.waiters]) this.settle(w, () => w.reject(error));
  }

  private settle(waiter: Waiter, done: () => void): void {
    if (!this.waiters.delete(waiter)) return;
    clearTimeout(waiter.timer);
    if (this.waiters.size === 0) {
      this.run?.abort();
      this.run = undefined;
    }
    done();
  }

  private async loop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted && this.waiters.size > 0) {
      let head: number;
      try {
        head = await this.nextHead(signal);
      } catch (error) {
        // Without the head no receipt was asked for; like a failed poll today, that ends the waits.
        if (!signal.aborted) this.rejectAll(error);
        continue;
      }
      // `head` was read before the batch is sent, so a receipt missing from it is missing up to
      // `head` whatever order the node runs the batch in; the head inside the batch is no such bound.
      const due = new Map<string, Waiter[]>();
      for (const w of this.waiters) if (w.seen < head) due.set(w.txId, [...(due.get(w.txId) ?? []), w]);
      const hashes = [...due.keys()];
      const batches: Promise<void>[] = [];
      for (let i = 0; i < hashes.length; i += RECEIPTS_PER_BATCH) {
        batches.push(this.lookUp(hashes.slice(i, i + RECEIPTS_PER_BATCH), due, head));
      }
      await Promise.all(batches);
    }
  }

  private async lookUp(hashes: string[], due: Map<string, Waiter[]>, head: number): Promise<void> {
    let answer: Awaited<ReturnType<ChainReader['receiptsAndHead']>>;
    try {
      answer = await this.chain.receiptsAndHead(hashes);
    } catch (error) {
      // Rejected at once, not retried until the deadline: today a failed receipt poll ends that
      // wait with the error, and the caller (who can retry with the same request id) decides.
      for (const hash of hashes) for (const w of due.get(hash)!) this.settle(w, () => w.reject(error));
      return;
    }
    hashes.forEach((hash, i) => {
      const r = answer.receipts[i]!;
      const receipt = r.status === 'fulfilled' ? r.value : null;
      for (const w of due.get(hash)!) {
        if (r.status === 'rejected') this.settle(w, () => w.reject(r.reason));
        else if (receipt?.blockHash) this.settle(w, () => w.resolve({ receipt, head: answer.head }));
        else w.seen = Math.max(w.seen, head);
      }
    });
  }
}
