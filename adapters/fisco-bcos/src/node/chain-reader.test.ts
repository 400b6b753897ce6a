import { describe, expect, it } from 'vitest';
import { ChainReader } from './chain-reader.js';
import type { FiscoRpc } from './fisco-rpc.js';

/** A node whose block 5 holds `txs` (changeable), counting the reads. */
function fakeNode(txs: string[]) {
  const node = { reads: 0, txs, fail: false };
  const rpc = {
    async group(method: string, params: unknown[]) {
      expect(method).toBe('getBlockByNumber');
      node.reads++;
      if (node.fail) throw new Error('unreachable');
      return { number: params[0], hash: `0xhash-${node.txs.join()}`, timestamp: 1, transactions: [...node.txs] };
    },
  } as unknown as FiscoRpc;
  return { node, reader: new ChainReader(rpc) };
}

describe('ChainReader.blockOf: a sealed block read once for the receipts it holds', () => {
  it('receipts of one block, sent together, read it once', async () => {
    const { node, reader } = fakeNode(['0xa', '0xb', '0xc']);
    const blocks = await Promise.all(['0xa', '0xb', '0xc'].map((tx) => reader.blockOf(5, tx)));
    expect(new Set(blocks.map((b) => b.hash)).size).toBe(1);
    expect(node.reads).toBe(1);
    await reader.blockOf(5, '0xb');
    expect(node.reads).toBe(1);
  });

  it('a block that does not hold the transaction is read again (another chain at the same endpoint)', async () => {
    const { node, reader } = fakeNode(['0xa']);
    await reader.blockOf(5, '0xa');
    node.txs = ['0xz'];
    expect((await reader.blockOf(5, '0xz')).transactions).toEqual(['0xz']);
    expect(node.reads).toBe(2);
  });

  it('a failed read is not kept', async () => {
    const { node, reader } = fakeNode(['0xa']);
    node.fail = true;
    await expect(reader.blockOf(5, '0xa')).rejects.toThrow('unreachable');
    node.fail = false;
    expect((await reader.blockOf(5, '0xa')).transactions).toEqual(['0xa']);
    expect(node.reads).toBe(2);
  });
});
