import { createMPT, createMerkleProof, verifyMerkleProof } from '@ethereumjs/mpt';
import { encode } from '@ethereumjs/rlp';

/**
 * The per-block index tries (transactions, receipts): Merkle-Patricia tries keyed by
 * RLP(index), values stored as given, no key hashing (Yellow Paper §4.4.2). Built and checked
 * with @ethereumjs/mpt rather than by hand.
 */

export const indexKey = (index: number): Uint8Array => encode(index);

export interface IndexTrie {
  root: Uint8Array;
  /** The nodes from the root to the value at `index`. */
  proof(index: number): Promise<Uint8Array[]>;
}

export async function buildIndexTrie(values: Uint8Array[]): Promise<IndexTrie> {
  const trie = await createMPT();
  for (const [i, value] of values.entries()) await trie.put(indexKey(i), value);
  return {
    root: trie.root(),
    proof: (index) => createMerkleProof(trie, indexKey(index)),
  };
}

/**
 * The value the proof shows at `index` under `root`. Throws when the proof does not start at
 * `root`, is incomplete, or proves the key absent: the caller turns that into a rejection.
 */
export async function provenValue(root: Uint8Array, index: number, proof: Uint8Array[]): Promise<Uint8Array> {
  if (root.length !== 32) throw new Error('the trie root is not 32 bytes');
  if (proof.length === 0) throw new Error('the proof has no nodes');
  // `root` is always passed: without it the library would accept a proof of any trie.
  const value = await verifyMerkleProof(indexKey(index), proof, { root });
  if (value === null || value.length === 0) throw new Error(`the proof shows no value at index ${index}`);
  return value;
}
