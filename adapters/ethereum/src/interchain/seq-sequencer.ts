/**
 * Hands out packet seqs on one channel (srcApp → dstChain/dstApp) to this adapter's concurrent
 * emits. Each reading the next seq from the chain would give them all the same one: on a chain
 * with a block time all but one then revert (SeqMismatch) in the next block and retry a block
 * later, so 16 sends in flight made one packet per block and failed after five tries. Here the
 * first emit on a channel takes the chain's next seq, and while its transaction is in flight the
 * next emits take the seqs after it and start their transactions behind it — in seq order, so one
 * sender's nonces follow the seqs and the whole run lands in one block.
 */
export class SeqSequencer {
  private readonly channels = new Map<string, { lock: Promise<void>; next?: number; inFlight: number }>();

  /**
   * `prepare(seq, chainNext)` runs alone on the channel (after the emits before it started their
   * transactions) and answers with `start`, which must take its place in its sender's nonce line at
   * once; `chainNext` is the chain's own next seq (`seq` is past it when earlier ones are in flight).
   */
  async run<T>(
    channel: string,
    readNext: () => Promise<number>,
    prepare: (seq: number, chainNext: number) => Promise<() => Promise<T>>,
  ): Promise<T> {
    let c = this.channels.get(channel);
    if (!c) this.channels.set(channel, (c = { lock: Promise.resolve(), inFlight: 0 }));
    const before = c.lock;
    let release!: () => void;
    c.lock = new Promise((resolve) => (release = resolve));
    await before;
    let sending: Promise<T>;
    try {
      const chainNext = await readNext();
      const seq = c.inFlight > 0 && c.next !== undefined ? Math.max(chainNext, c.next) : chainNext;
      const start = await prepare(seq, chainNext);
      sending = start();
      c.next = seq + 1;
      c.inFlight++;
    } finally {
      release();
    }
    try {
      return await sending;
    } catch (error) {
      // Whatever failed, the seqs after it are in doubt: the next emit asks the chain again.
      c.next = undefined;
      throw error;
    } finally {
      c.inFlight--;
    }
  }
}
