// Finality's waits for inclusion against a node faked at the RpcClient boundary: the quick
// per-transaction polls, then the shared receipt poll (receipt-waiter.ts). No devnet.
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { isBsnError, UnavailableError } from '@bsn/contract';
import { ChainReader } from './chain.js';
import { Finality } from './finality.js';
import type { RpcClient } from './rpc.js';

/**
 * A node faked at the RpcClient boundary: blocks appear only when a test mines them, and
 * every HTTP round trip (a call, or a batch) is recorded with the methods it carried.
 */
class FakeNode {
  head = 0;
  readonly inclusions = new Map<string, number>();
  readonly posts: string[][] = [];
  failure?: Error;
  stall = false;

  mine(...txIds: string[]): void {
    this.head++;
    for (const id of txIds) this.inclusions.set(id, this.head);
  }

  readonly rpc = {
    call: async (method: string, params: unknown[] = []) => {
      this.posts.push([method]);
      if (this.failure) throw this.failure;
      return this.answer(method, params);
    },
    batch: (requests: { method: string; params?: unknown[] }[]) => {
      this.posts.push(requests.map((r) => r.method));
      const sent: Promise<void> = this.stall
        ? new Promise(() => undefined)
        : this.failure
          ? Promise.reject(this.failure)
          : Promise.resolve();
      const out = requests.map((r) => sent.then(() => this.answer(r.method, r.params ?? [])));
      for (const p of out) p.catch(() => undefined);
      return out;
    },
  };

  private answer(method: string, params: unknown[]): unknown {
    const block = (n: number) => ({
      number: hex(n),
      hash: blockHash(n),
      parentHash: blockHash(n - 1),
      timestamp: hex(1_700_000_000 + n),
      gasLimit: '0x1c9c380',
      transactions: [],
    });
    switch (method) {
      case 'eth_blockNumber':
        return hex(this.head);
      case 'eth_getBlockByNumber':
        return block(this.head);
      case 'eth_getTransactionReceipt': {
        const txId = params[0] as string;
        const at = this.inclusions.get(txId);
        return at === undefined
          ? null
          : {
              transactionHash: txId,
              blockNumber: hex(at),
              blockHash: blockHash(at),
              status: '0x1',
              from: '0x01',
              to: '0x02',
              contractAddress: null,
              gasUsed: '0x5208',
              logs: [],
            };
      }
      default:
        throw new Error(`unexpected ${method}`);
    }
  }

  /**
   * Round trips since the last drain, by kind: per-tx receipt polls, head polls, and shared
   * receipt batches (by size). A shared batch for one tx looks like a per-tx poll, so tests
   * that tell them apart keep two or more txs waiting.
   */
  drain(): { quick: number; heads: number; batches: number[] } {
    const posts = this.posts.splice(0);
    return {
      quick: posts.filter((p) => p.length === 2).length,
      heads: posts.filter((p) => p.length === 1 && p[0] === 'eth_blockNumber').length,
      batches: posts.filter((p) => p.length > 2).map((p) => p.filter((m) => m === 'eth_getTransactionReceipt').length),
    };
  }
}

const hex = (n: number) => `0x${n.toString(16)}`;
const blockHash = (n: number) => `0x${'b'.repeat(8)}${n.toString(16).padStart(56, '0')}`;
const txHash = (i: number) => `0x${'a'.repeat(8)}${i.toString(16).padStart(56, '0')}`;

describe('waiting for inclusion (faked node)', () => {
  const INTERVAL = 100;
  let node: FakeNode;
  let finality: Finality;

  beforeEach(() => {
    vi.useFakeTimers();
    node = new FakeNode();
    finality = new Finality(new ChainReader(node.rpc as unknown as RpcClient), 0, INTERVAL);
  });
  afterEach(() => {
    finality.close();
    vi.useRealTimers();
  });

  /** Starts waits and lets them pass the quick per-tx polls (cumulatively under one interval). */
  const waitFor = async (txIds: string[], deadlineMs = 60_000) => {
    const waits = txIds.map((id) => {
      const settled = { value: undefined as unknown, error: undefined as unknown, done: false };
      const promise = finality.mined(id, Date.now() + deadlineMs).then(
        (v) => Object.assign(settled, { value: v, done: true }),
        (e: unknown) => Object.assign(settled, { error: e, done: true }),
      );
      return Object.assign(settled, { promise });
    });
    await vi.advanceTimersByTimeAsync(INTERVAL - 1);
    return waits;
  };

  test('a tx mined at broadcast is found by its first quick poll, without waiting for a head poll', async () => {
    node.mine(txHash(1));
    const receipt = await finality.mined(txHash(1), Date.now() + 1_000);
    expect(receipt.blockHash).toBe(blockHash(1));
    expect(node.drain()).toEqual({ quick: 1, heads: 0, batches: [] });
  });

  test('50 pending txs cost one head poll per interval and one receipts batch per new head, not 50 requests', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => txHash(i));
    const waits = await waitFor(ids);
    // Each polled on its own a few times (2, 4, 8… ms), then stopped doing so.
    const quick = node.drain();
    expect(quick.quick).toBeGreaterThanOrEqual(50);
    expect(quick.quick).toBeLessThanOrEqual(50 * 8);

    await vi.advanceTimersByTimeAsync(INTERVAL);
    // Newcomers are looked up once, whatever the head.
    expect(node.drain()).toEqual({ quick: 0, heads: 1, batches: [50] });

    await vi.advanceTimersByTimeAsync(3 * INTERVAL);
    expect(node.drain()).toEqual({ quick: 0, heads: 3, batches: [] }); // no new block, no receipt requests

    const k = 3;
    for (let b = 1; b < k; b++) {
      node.mine();
      await vi.advanceTimersByTimeAsync(INTERVAL);
      expect(node.drain()).toEqual({ quick: 0, heads: 1, batches: [50] });
    }
    node.mine(txHash(7)); // mined k blocks after the waits began
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(node.drain()).toEqual({ quick: 0, heads: 1, batches: [50] });
    expect(waits[7]!.done).toBe(true);
    expect(waits[7]!.value).toMatchObject({ transactionHash: txHash(7), blockHash: blockHash(node.head), blockNumber: hex(node.head) });
    expect(waits.filter((w) => w.done)).toHaveLength(1);

    node.mine(...ids);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(node.drain()).toEqual({ quick: 0, heads: 1, batches: [49] });
    expect(waits.every((w) => w.done && !w.error)).toBe(true);
    // Nobody waits: no polls, and no timer left to keep the process alive.
    await vi.advanceTimersByTimeAsync(10 * INTERVAL);
    expect(node.drain()).toEqual({ quick: 0, heads: 0, batches: [] });
    expect(vi.getTimerCount()).toBe(0);
  });

  test('more txs than fit one batch go out as several batches per tick', async () => {
    await waitFor(Array.from({ length: 450 }, (_, i) => txHash(i)));
    node.drain();
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(node.drain()).toEqual({ quick: 0, heads: 1, batches: [200, 200, 50] });
  });

  test('final() with no confirmations resolves from the shared poll with the receipt', async () => {
    const sent = finality.final(txHash(1), Date.now() + 60_000);
    await vi.advanceTimersByTimeAsync(3 * INTERVAL);
    node.mine(txHash(1));
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect((await sent).blockHash).toBe(blockHash(1));
  });

  test('each waiter times out at its own deadline with the TIMEOUT it always had, even while a batch hangs', async () => {
    const [a, b] = await waitFor([txHash(1), txHash(2)], 10 * INTERVAL);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    node.stall = true; // the node stops answering batches; deadlines must still fire
    node.mine();
    await vi.advanceTimersByTimeAsync(INTERVAL);
    await vi.advanceTimersByTimeAsync(INTERVAL * 8);
    expect(a!.done && b!.done).toBe(true);
    for (const [w, id] of [
      [a, txHash(1)],
      [b, txHash(2)],
    ] as const) {
      expect(isBsnError(w!.error, 'TIMEOUT')).toBe(true);
      expect(w!.error).toMatchObject({
        stage: 'commit',
        txId: id,
        message: expect.stringMatching(new RegExp(`^inclusion of ${id} did not happen before the deadline`)),
      });
    }
  });

  test('deadlines are per waiter: an expired one leaves the others waiting', async () => {
    const [short] = await waitFor([txHash(1)], 3 * INTERVAL);
    const [long] = await waitFor([txHash(2)], 60_000);
    await vi.advanceTimersByTimeAsync(2 * INTERVAL);
    expect(isBsnError(short!.error, 'TIMEOUT')).toBe(true);
    expect(long!.done).toBe(false);
    node.mine(txHash(2));
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(long!.value).toMatchObject({ transactionHash: txHash(2) });
    node.drain();
    await vi.advanceTimersByTimeAsync(10 * INTERVAL);
    expect(node.drain()).toEqual({ quick: 0, heads: 0, batches: [] });
  });

  test('the last waiter timing out stops the head poll at once (no trailing request, no timer)', async () => {
    const [w] = await waitFor([txHash(1)], INTERVAL + INTERVAL / 2);
    await vi.advanceTimersByTimeAsync(INTERVAL / 2 + 1);
    expect(isBsnError(w!.error, 'TIMEOUT')).toBe(true);
    node.drain();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(10 * INTERVAL);
    expect(node.drain()).toEqual({ quick: 0, heads: 0, batches: [] });
  });

  test('close() rejects every waiter with the adapter-closed error and polling stops', async () => {
    const waits = await waitFor(Array.from({ length: 10 }, (_, i) => txHash(i)));
    await vi.advanceTimersByTimeAsync(INTERVAL);
    finality.close();
    await Promise.all(waits.map((w) => w.promise));
    for (const w of waits) {
      expect(w.error).toBeInstanceOf(UnavailableError);
      expect((w.error as Error).message).toBe('the adapter is closed');
    }
    node.drain();
    await vi.advanceTimersByTimeAsync(10 * INTERVAL);
    expect(node.drain()).toEqual({ quick: 0, heads: 0, batches: [] });
    expect(vi.getTimerCount()).toBe(0);
  });

  test('a failed batch rejects its waiters with the transport error instead of retrying silently', async () => {
    const waits = await waitFor([txHash(1), txHash(2), txHash(3)]);
    const down = new UnavailableError('the node did not answer');
    node.failure = down;
    // Only the batch fails, not the head poll before it.
    node.rpc.call = async (method: string) => {
      node.posts.push([method]);
      return hex(node.head);
    };
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(node.drain().batches).toEqual([3]);
    for (const w of waits) expect(w.error).toBe(down);
  });

  test('a failed head poll rejects the waiters it was for', async () => {
    const waits = await waitFor([txHash(1), txHash(2)]);
    const down = new UnavailableError('the node did not answer');
    node.failure = down;
    await vi.advanceTimersByTimeAsync(INTERVAL);
    for (const w of waits) expect(w.error).toBe(down);
  });
});
