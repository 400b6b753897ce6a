import { describe, expect, test } from 'vitest';
import { Metering } from './metering.js';
import type { Registry, UsageDelta } from './registry/registry.js';
import { openSqliteRegistry } from './registry/sqlite.js';

const fakeRegistry = (addUsage: (app: string, d: UsageDelta) => Promise<void>) =>
  ({ addUsage, usage: async () => ({}) }) as unknown as Registry;

describe('Metering', () => {
  test('deltas reach the registry summed, one update per app per flush, written behind the requests', async () => {
    const calls: Array<[string, UsageDelta]> = [];
    const m = new Metering(
      fakeRegistry(async (app, d) => void calls.push([app, d])),
      10_000,
      { flushMs: 20 },
    );
    m.record('a', { reads: 1 });
    m.record('a', { bytesIn: 10, bytesOut: 20 });
    m.record('b', { bytesIn: 5 });
    // A committed write was counted by the registry with its receipt: nothing to write behind.
    m.committed('c', 9);
    expect(calls).toEqual([]);
    await new Promise((r) => setTimeout(r, 60));
    expect(calls).toEqual([
      ['a', { txs: 0, reads: 1, storageBytes: 0, bytesIn: 10, bytesOut: 20 }],
      ['b', { txs: 0, reads: 0, storageBytes: 0, bytesIn: 5, bytesOut: 0 }],
    ]);
    // Later counts are a new update.
    m.record('a', { reads: 2 });
    await m.close();
    expect(calls).toHaveLength(3);
    expect(calls[2]).toEqual(['a', { txs: 0, reads: 2, storageBytes: 0, bytesIn: 0, bytesOut: 0 }]);
  });

  test('a failed registry write keeps its deltas for the next flush: nothing is lost', async () => {
    let fail = true;
    const written: Array<[string, UsageDelta]> = [];
    const m = new Metering(
      fakeRegistry(async (app, d) => {
        if (fail && app === 'b') throw new Error('disk full');
        written.push([app, d]);
      }),
      10_000,
      { flushMs: 60_000 },
    );
    m.record('a', { reads: 1 });
    m.record('b', { reads: 1 });
    await expect(m.flush()).rejects.toThrow('disk full');
    expect(written.map(([app]) => app)).toEqual(['a']);
    m.record('b', { reads: 2 });
    fail = false;
    await m.close();
    expect(written).toEqual([
      ['a', expect.objectContaining({ reads: 1 })],
      ['b', expect.objectContaining({ reads: 3 })],
    ]);
  });

  test("flushes run one at a time, and usage() answers with this instance's latest counts", async () => {
    const registry = await openSqliteRegistry(':memory:');
    const m = new Metering(registry, 10_000, { flushMs: 60_000 });
    for (let i = 0; i < 50; i++) m.record(`app${i % 3}`, { reads: 1, bytesOut: i });
    const first = m.flush();
    m.record('app0', { reads: 1 });
    const second = m.flush();
    await Promise.all([first, second]);
    m.record('app0', { reads: 1 });
    expect((await m.usage('app0')).reads).toBe(19);
    const usage = await registry.allUsage();
    expect(usage.map((u) => [u.app, u.reads])).toEqual([
      ['app0', 19],
      ['app1', 17],
      ['app2', 16],
    ]);
    expect(usage.reduce((s, u) => s + u.bytesOut, 0)).toBe((49 * 50) / 2);
    await m.close();
    await registry.close();
  });
});
