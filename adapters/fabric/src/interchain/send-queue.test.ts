import { describe, expect, test } from 'vitest';
import { KeyedQueue } from './send-queue.js';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('KeyedQueue', () => {
  test('one task at a time per key, in order; keys run side by side', async () => {
    const queue = new KeyedQueue();
    const running = new Map<string, number>();
    const most = new Map<string, number>();
    const order: string[] = [];
    const task = (key: string, n: number) => async () => {
      running.set(key, (running.get(key) ?? 0) + 1);
      most.set(key, Math.max(most.get(key) ?? 0, running.get(key)!));
      await tick();
      order.push(`${key}${n}`);
      running.set(key, running.get(key)! - 1);
      return n;
    };
    const results = await Promise.all([0, 1, 2, 3].flatMap((n) => [queue.run('a', task('a', n)), queue.run('b', task('b', n))]));
    expect(results).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    expect(most).toEqual(
      new Map([
        ['a', 1],
        ['b', 1],
      ]),
    );
    expect(order.filter((o) => o.startsWith('a'))).toEqual(['a0', 'a1', 'a2', 'a3']);
    // the two keys interleave: b's tasks do not wait for a's
    expect(order.indexOf('b0')).toBeLessThan(order.indexOf('a1'));
    expect(queue.size).toBe(0);
  });

  test('a failed task fails its own caller only; the next runs', async () => {
    const queue = new KeyedQueue();
    const failed = queue.run('k', async () => {
      throw new Error('refused');
    });
    const next = queue.run('k', async () => 'ran');
    await expect(failed).rejects.toThrow('refused');
    await expect(next).resolves.toBe('ran');
  });
});
