import { describe, expect, test } from 'vitest';
import { Metering } from './metering.js';
import type { Registry, UsageDelta } from './registry/registry.js';
import { openSqliteRegistry } from './registry/sqlite.js';

describe('Metering', () => {
  test('deltas of one turn reach the registry as one update per app, and every caller waits for it', async () => {
    const calls: Array<[string, UsageDelta]> = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const registry = { addUsage: async (app: string, d: UsageDelta) => { calls.push([app, d]); await gate; } } as unknown as Registry;
    const m = new Metering(registry, 10_000);
    const done: string[] = [];
    const records = [
      m.record('a', { reads: 1 }).then(() => done.push('a1')),
      m.record('a', { bytesIn: 10, bytesOut: 20 }).then(() => done.push('a2')),
      m.record('b', { txs: 1, storageBytes: 5 }).then(() => done.push('b')),
    ];
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([
      ['a', { txs: 0, reads: 1, storageBytes: 0, bytesIn: 10, bytesOut: 20 }],
      ['b', { txs: 1, reads: 0, storageBytes: 5, bytesIn: 0, bytesOut: 0 }],
    ]);
    expect(done).toEqual([]);
    release();
    await Promise.all(records);
    expect(done.sort()).toEqual(['a1', 'a2', 'b']);
    // A later turn is a new update.
    await m.record('a', { reads: 2 });
    expect(calls).toHaveLength(3);
  });

  test('a failed registry write fails every record that was in it', async () => {
    const registry = { addUsage: async () => { throw new Error('disk full'); } } as unknown as Registry;
    const m = new Metering(registry, 10_000);
    const results = await Promise.allSettled([m.record('a', { reads: 1 }), m.record('b', { reads: 1 })]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });

  test('counts add up exactly in a real registry', async () => {
    const registry = await openSqliteRegistry(':memory:');
    const m = new Metering(registry, 10_000);
    await Promise.all(Array.from({ length: 50 }, (_, i) => m.record(`app${i % 3}`, { reads: 1, bytesOut: i })));
    await m.record('app0', { txs: 1 });
    const usage = await registry.allUsage();
    expect(usage.map((u) => [u.app, u.reads, u.txs])).toEqual([['app0', 17, 1], ['app1', 17, 0], ['app2', 16, 0]]);
    expect(usage.reduce((s, u) => s + u.bytesOut, 0)).toBe((49 * 50) / 2);
    await registry.close();
  });
});
