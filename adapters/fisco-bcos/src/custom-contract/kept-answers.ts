/** What the kept answers need of time: tests pass a clock they move. */
export type Clock = () => number;

/**
 * Answers of a chain read, kept by key for up to `maxAgeMs` (counted from when their read
 * began), for callers that ask on every call. An answer past half its age is read again in the
 * background while it still serves; calls that find none fresh enough share one read begun
 * within their age; nothing older than `maxAgeMs` is served, and `maxAgeMs` 0 always reads.
 * `forget` drops a key after a change made through this adapter: the next call reads again,
 * and a read begun before the change answers its own callers but is not kept (its answer may
 * predate the change). An undefined answer (nothing there) is not kept.
 */
export class KeptAnswers<T> {
  /** `read` numbers the read: a later read's answer wins over one that ends after it. */
  private readonly kept = new Map<string, { value: T; at: number; read: number }>();
  private readonly reading = new Map<string, { since: number; value: Promise<T | undefined> }>();
  /** By key, the number of the last read begun before a `forget`: its answer is not kept. */
  private readonly forgotten = new Map<string, number>();
  private reads = 0;

  constructor(
    private readonly read: (key: string) => Promise<T | undefined>,
    private readonly now: Clock = Date.now,
  ) {}

  get(key: string, maxAgeMs: number): Promise<T | undefined> {
    const now = this.now();
    const kept = this.kept.get(key);
    const reading = this.reading.get(key);
    if (kept && maxAgeMs > 0 && now - kept.at <= maxAgeMs) {
      // A read ahead that fails is left to the first call that needs its answer.
      if (!reading && now - kept.at > maxAgeMs / 2) this.readAgain(key).catch(() => undefined);
      return Promise.resolve(kept.value);
    }
    if (reading && maxAgeMs > 0 && now - reading.since <= maxAgeMs) return reading.value;
    return this.readAgain(key);
  }

  forget(key: string): void {
    this.kept.delete(key);
    this.reading.delete(key);
    this.forgotten.set(key, this.reads);
  }

  private readAgain(key: string): Promise<T | undefined> {
    const since = this.now();
    const number = ++this.reads;
    const value = this.read(key).then((answer) => {
      const kept = this.kept.get(key);
      if ((!kept || kept.read < number) && number > (this.forgotten.get(key) ?? 0)) {
        if (answer !== undefined) this.kept.set(key, { value: answer, at: since, read: number });
        else this.kept.delete(key);
      }
      return answer;
    });
    const entry = { since, value };
    this.reading.set(key, entry);
    const done = () => {
      if (this.reading.get(key) === entry) this.reading.delete(key);
    };
    value.then(done, done);
    return value;
  }
}
