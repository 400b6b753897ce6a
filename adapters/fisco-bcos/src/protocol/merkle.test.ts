import { describe, expect, it } from 'vitest';
import { cryptoSuite } from './crypto-suite.js';
import { merklePath, merkleProof, merkleRoot, verifyMerkleProof } from './merkle.js';

const suite = cryptoSuite('standard');
const leaves = (tag: number, n: number) => Array.from({ length: n }, (_, i) => suite.hash(Uint8Array.of(tag, i)));

describe('Merkle paths: the place a proof gives its leaf', () => {
  it('a transaction and its receipt (same index in trees of as many leaves) have the same path; other indexes do not', () => {
    const txs = leaves(1, 5);
    const receipts = leaves(2, 5);
    const paths = txs.map((tx, i) => merklePath(suite, merkleProof(suite, txs, i), tx));
    for (let i = 0; i < 5; i++) {
      expect(verifyMerkleProof(suite, merkleProof(suite, txs, i), txs[i]!, merkleRoot(suite, txs))).toBe(true);
      expect(merklePath(suite, merkleProof(suite, receipts, i), receipts[i]!)).toEqual(paths[i]);
    }
    expect(new Set(paths.map((p) => JSON.stringify(p))).size).toBe(5);
    expect(paths[4]).toEqual([
      [1, 0],
      [1, 0],
      [2, 1],
    ]);
  });

  it('one leaf: an empty path; a leaf missing from its group, or in it twice, has none', () => {
    const [only] = leaves(3, 1);
    expect(merklePath(suite, [only!], only!)).toEqual([]);
    const txs = leaves(4, 4);
    expect(merklePath(suite, merkleProof(suite, txs, 1), txs[2]!)).toBeUndefined();
    const twice = [txs[0]!, txs[0]!];
    expect(merklePath(suite, merkleProof(suite, twice, 0), txs[0]!)).toBeUndefined();
    expect(merklePath(suite, [], txs[0]!)).toBeUndefined();
  });
});
