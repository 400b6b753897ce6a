/**
 * Runs tasks one at a time per key, in the order they were asked for; a task that fails does not
 * stop the next. Sends from one app to one target share the chaincode's seq counter — a key each
 * send reads and writes — so sends racing each other lose to MVCC and are endorsed again, until
 * the retries run out (16 in flight: 29 of 32 refused at least once). One at a time per counter,
 * each is endorsed against the counter the one before committed.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? Promise.resolve()).then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with a task queued or running. */
  get size(): number {
    return this.tails.size;
  }
}
