import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePacketCall, toBase64, type AppInfo } from '@bsn/contract';
import { unique } from '@bsn/contract/testing';
import { AnvilDevnet, actor, connect, rpc, type StartedDevnet } from '../__fixtures__/chains.js';
import type { EthereumAdapter } from '../adapter.js';

/**
 * Concurrent emits on one channel, on an anvil that mines a block a second (as real chains do):
 * each must get its own seq without first reverting on a seq another took, so that a run of them
 * lands in a block or two instead of one packet per block. Read back from the chain's receipts.
 */
describe('concurrent packets on one channel', () => {
  let devnet: StartedDevnet;
  let adapter: EthereumAdapter;
  let member: Awaited<ReturnType<typeof actor>>;
  let app: AppInfo;

  beforeAll(async () => {
    devnet = await new AnvilDevnet().withBlockTime(1).start();
    adapter = await connect(devnet);
    member = await actor(adapter);
    app = await adapter.lifecycle.create(
      {
        appId: unique('seq'),
        name: 'seq',
        framework: 'ethereum',
        mode: 'consortium',
        placement: 'shared',
        contract: { kind: 'preset-kv' },
        members: [],
      },
      member.signer,
    );
  }, 120_000);
  afterAll(async () => {
    await adapter?.close();
    await devnet?.stop();
  });

  it('8 emits at once get seqs 1…8, none reverts on chain, all within two blocks', async () => {
    const dstApp = unique('dst');
    const emits = Array.from({ length: 8 }, (_, i) =>
      adapter.interchain.emit(
        app,
        {
          dstChain: 'elsewhere',
          dstApp,
          method: 'kv.put',
          payload: toBase64(encodePacketCall({ method: 'kv.put', key: `k${i}`, value: new TextEncoder().encode('v'.repeat(i * 40)) })),
          timeout: Date.now() + 600_000,
          grantRef: 'g-1',
        },
        member.signer,
      ),
    );
    const sent = await Promise.all(emits);
    expect(sent.map((s) => s.packet.seq).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const blocks = new Set(sent.map((s) => s.receipt.block.number));
    expect(blocks.size, `blocks ${[...blocks].join(', ')}`).toBeLessThanOrEqual(2);
    // No transaction of the member reverted around them (a seq taken by another would have).
    const from = member.account.id;
    const reverted: string[] = [];
    for (const n of new Set([...blocks, Math.min(...blocks) - 1, Math.max(...blocks) + 1])) {
      const block = await rpc<{ transactions: Array<{ hash: string; from: string }> }>(devnet, 'eth_getBlockByNumber', [
        '0x' + n.toString(16),
        true,
      ]);
      for (const tx of block?.transactions ?? []) {
        if (tx.from.toLowerCase() !== from.toLowerCase()) continue;
        const r = await rpc<{ status: string }>(devnet, 'eth_getTransactionReceipt', [tx.hash]);
        if (r.status !== '0x1') reverted.push(tx.hash);
      }
    }
    expect(reverted).toEqual([]);
  }, 120_000);
});
