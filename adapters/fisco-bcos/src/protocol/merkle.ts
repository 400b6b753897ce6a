import { concat } from './big-endian.js';
import type { CryptoSuite } from './crypto-suite.js';

/**
 * FISCO BCOS 3.x's Merkle tree over transaction and receipt hashes (bcos-crypto merkle/Merkle.h,
 * width 2): each level hashes up to two children concatenated (a lone last child is hashed on
 * its own), the root of one leaf is the leaf itself, an empty list has a zero root.
 *
 * A proof is what the node answers in `txReceiptProof`: per level, a 4-byte big-endian count
 * followed by that group of sibling hashes (the proven hash among them); one leaf alone is
 * proven by `[leaf]`. Verification hashes each group in turn and compares with the root.
 */
const WIDTH = 2;

export function merkleRoot(suite: CryptoSuite, leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return new Uint8Array(32);
  let level = [...leaves];
  while (level.length > 1) level = nextLevel(suite, level);
  return level[0]!;
}

function nextLevel(suite: CryptoSuite, level: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < level.length; i += WIDTH) out.push(suite.hash(concat(level.slice(i, i + WIDTH))));
  return out;
}

function countOf(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
}

export function merkleProof(suite: CryptoSuite, leaves: readonly Uint8Array[], index: number): Uint8Array[] {
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length) throw new RangeError('leaf index out of range');
  if (leaves.length === 1) return [leaves[0]!];
  const proof: Uint8Array[] = [];
  let level = [...leaves];
  let at = index;
  while (level.length > 1) {
    const start = at - (at % WIDTH);
    const group = level.slice(start, start + WIDTH);
    proof.push(countOf(group.length), ...group);
    level = nextLevel(suite, level);
    at = Math.floor(at / WIDTH);
  }
  return proof;
}

/** Whether `proof` leads from `leaf` to `root`; malformed proofs are simply not valid. */
export function verifyMerkleProof(suite: CryptoSuite, proof: readonly Uint8Array[], leaf: Uint8Array, root: Uint8Array): boolean {
  if (proof.length === 0) return false;
  let hash = leaf;
  if (proof.length > 1) {
    let i = 0;
    while (i < proof.length) {
      const head = proof[i++]!;
      if (head.length !== 4) return false;
      const count = new DataView(head.buffer, head.byteOffset, 4).getUint32(0);
      if (count < 1 || count > WIDTH || i + count > proof.length) return false;
      const group = proof.slice(i, i + count);
      if (!group.some((h) => equal(h, hash))) return false;
      hash = suite.hash(concat(group));
      i += count;
    }
  } else if (!equal(proof[0]!, leaf)) {
    return false;
  }
  return equal(hash, root);
}

/**
 * Where in its tree `proof` places `leaf`: per level, the group's size and the running hash's
 * place in it (one entry per level, bottom up; `[]` for a tree of one leaf), or undefined when
 * the hash is missing from a group or is in it twice. Two proofs with the same path in trees of
 * as many leaves prove the same leaf index — how a transaction is tied to its receipt.
 */
export function merklePath(suite: CryptoSuite, proof: readonly Uint8Array[], leaf: Uint8Array): Array<[number, number]> | undefined {
  if (proof.length === 0) return undefined;
  if (proof.length === 1) return equal(proof[0]!, leaf) ? [] : undefined;
  const path: Array<[number, number]> = [];
  let hash = leaf;
  let i = 0;
  while (i < proof.length) {
    const head = proof[i++]!;
    if (head.length !== 4) return undefined;
    const count = new DataView(head.buffer, head.byteOffset, 4).getUint32(0);
    if (count < 1 || count > WIDTH || i + count > proof.length) return undefined;
    const group = proof.slice(i, i + count);
    const at = group.flatMap((h, k) => (equal(h, hash) ? [k] : []));
    if (at.length !== 1) return undefined;
    path.push([count, at[0]!]);
    hash = suite.hash(concat(group));
    i += count;
  }
  return path;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
