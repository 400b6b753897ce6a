import { describe, expect, it } from 'vitest';
import { KeptAnswers } from './kept-answers.js';

/** A read the test ends by hand, and a clock it moves. */
function world() {
  let now = 1_000_000;
  const pending: Array<{ key: string; resolve: (v: string | undefined) => void; reject: (e: Error) => void }> = [];
  const kept = new KeptAnswers<string>(
    (key) => new Promise((resolve, reject) => pending.push({ key, resolve, reject })),
    () => now,
  );
  return {
    kept,
    pending,
    tick: (ms: number) => (now += ms),
    /** Ends the oldest read with `value`, then lets its callbacks run. */
    async answer(value: string | undefined) {
      pending.shift()!.resolve(value);
      await new Promise((r) => setImmediate(r));
    },
  };
}

describe('KeptAnswers (fake clock)', () => {
  it('shares one read among the calls that arrive while it runs', async () => {
    const w = world();
    const calls = [w.kept.get('a', 1_000), w.kept.get('a', 1_000), w.kept.get('a', 1_000)];
    expect(w.pending).toHaveLength(1);
    await w.answer('v1');
    expect(await Promise.all(calls)).toEqual(['v1', 'v1', 'v1']);
    expect(await w.kept.get('a', 1_000), 'kept: no read').toBe('v1');
    expect(w.pending).toHaveLength(0);
  });

  it('refreshes in the background past half its age, and never serves an answer older than the max age', async () => {
    const w = world();
    const first = w.kept.get('a', 1_000);
    await w.answer('v1');
    await first;
    w.tick(400);
    expect(await w.kept.get('a', 1_000)).toBe('v1');
    expect(w.pending, 'younger than half: no read').toHaveLength(0);
    w.tick(200);
    expect(await w.kept.get('a', 1_000), 'past half: still served').toBe('v1');
    expect(w.pending, 'and read again behind it').toHaveLength(1);
    expect(await w.kept.get('a', 1_000)).toBe('v1');
    expect(w.pending, 'one read ahead at a time').toHaveLength(1);
    // The read ahead never answers: at 1001 ms the kept answer is too old, the call waits for the read.
    w.tick(401);
    let late: string | undefined = 'not yet';
    const waiting = w.kept.get('a', 1_000).then((v) => (late = v));
    await new Promise((r) => setImmediate(r));
    expect(late, 'the 1001 ms old answer is not served').toBe('not yet');
    await w.answer('v2');
    await waiting;
    expect(late).toBe('v2');
  });

  it('reads on every call with max age 0, and does not keep nothing', async () => {
    const w = world();
    const a = w.kept.get('a', 1_000);
    await w.answer('v1');
    await a;
    const fresh = w.kept.get('a', 0);
    expect(w.pending).toHaveLength(1);
    await w.answer('v2');
    expect(await fresh).toBe('v2');
    expect(await w.kept.get('a', 1_000), 'the fresh read is kept').toBe('v2');
    const none = w.kept.get('b', 1_000);
    await w.answer(undefined);
    expect(await none).toBeUndefined();
    void w.kept.get('b', 1_000);
    expect(w.pending, 'an absent app is read again').toHaveLength(1);
  });

  it('after forget reads again, and does not keep a read begun before it', async () => {
    const w = world();
    const a = w.kept.get('a', 1_000);
    await w.answer('v1');
    await a;
    w.tick(600);
    void w.kept.get('a', 1_000); // starts a read ahead, begun before the change
    w.kept.forget('a');
    const next = w.kept.get('a', 1_000);
    expect(w.pending, 'the next call reads itself').toHaveLength(2);
    await w.answer('before the change');
    const meanwhile = w.kept.get('a', 1_000);
    await w.answer('after the change');
    expect(await meanwhile, 'the answer read before the change was not kept').toBe('after the change');
    expect(await next).toBe('after the change');
    expect(await w.kept.get('a', 1_000)).toBe('after the change');
    // Ended after the later read, the older one still does not replace it.
    const w2 = world();
    const older = w2.kept.get('x', 0);
    const newer = w2.kept.get('x', 0);
    w2.pending[1]!.resolve('newer');
    await newer;
    w2.pending[0]!.resolve('older');
    await older;
    expect(await w2.kept.get('x', 1_000)).toBe('newer');
  });

  it('keeps no failure: the next call reads again and gets the answer', async () => {
    const w = world();
    const failed = w.kept.get('a', 1_000);
    w.pending.shift()!.reject(new Error('node down'));
    await expect(failed).rejects.toThrow('node down');
    const again = w.kept.get('a', 1_000);
    expect(w.pending).toHaveLength(1);
    await w.answer('v1');
    expect(await again).toBe('v1');
  });
});
