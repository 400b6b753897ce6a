/**
 * Antelope's merkle trees (Leap 4, before Savanna): each pair is hashed as SHA-256(left ‖ right)
 * after marking the left digest's first byte's high bit clear and the right one's set; an odd
 * level repeats its last node. `transaction_mroot` is such a tree over a block's receipt
 * digests; the block-root merkle is the same tree over all earlier block ids, grown one id per
 * block (incrementally: only the "active" nodes of the right edge are kept).
 */
import { createHash } from 'node:crypto';

const sha256 = (a: Uint8Array, b: Uint8Array) => new Uint8Array(createHash('sha256').update(a).update(b).digest());

function pairHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  const l = Uint8Array.from(left);
  const r = Uint8Array.from(right);
  l[0] = l[0]! & 0x7f;
  r[0] = r[0]! | 0x80;
  return sha256(l, r);
}

/** The root over `digests` (all-zero for none). */
export function merkleRoot(digests: Uint8Array[]): Uint8Array {
  if (digests.length === 0) return new Uint8Array(32);
  let level: Uint8Array[] = digests.map((d) => Uint8Array.from(d));
  while (level.length > 1) {
    if (level.length % 2 === 1) level.push(level[level.length - 1]!);
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(pairHash(level[i]!, level[i + 1]!));
    level = next;
  }
  return level[0]!;
}

/** Depth of the smallest balanced tree holding `count` leaves (1 for one leaf). */
function maxDepth(count: number): number {
  if (count === 0) return 0;
  let power = 1;
  while (power < count) power *= 2;
  return Math.log2(power) + 1;
}

/** The block-root merkle: its active nodes and leaf count, as `get_block_header_state` shows them. */
export interface IncrementalMerkleState {
  activeNodes: string[];
  nodeCount: number;
}

export class IncrementalMerkle {
  private active: Uint8Array[];
  private count: number;

  constructor(state: IncrementalMerkleState = { activeNodes: [], nodeCount: 0 }) {
    this.active = state.activeNodes.map((n) => Uint8Array.from(Buffer.from(n, 'hex')));
    this.count = state.nodeCount;
  }

  get state(): IncrementalMerkleState {
    return { activeNodes: this.active.map((n) => Buffer.from(n).toString('hex')), nodeCount: this.count };
  }

  /** The root: the last active node (all-zero while empty). */
  get root(): string {
    return this.count === 0 ? '00'.repeat(32) : Buffer.from(this.active[this.active.length - 1]!).toString('hex');
  }

  /**
   * Adds a leaf. Walking up from it, a left child pairs with itself (a partial node that is not
   * kept once it is partial) and a right child pairs with the next kept left node.
   */
  append(digest: string): void {
    let partial = false;
    let depth = maxDepth(this.count + 1) - 1;
    let index = this.count;
    let top: Uint8Array = Uint8Array.from(Buffer.from(digest, 'hex'));
    let next = 0;
    const kept: Uint8Array[] = [];
    while (depth > 0) {
      if ((index & 1) === 0) {
        if (!partial) kept.push(top);
        top = pairHash(top, top);
        partial = true;
      } else {
        const left = this.active[next++]!;
        if (partial) kept.push(left);
        top = pairHash(left, top);
      }
      depth--;
      index = Math.floor(index / 2);
    }
    kept.push(top);
    this.active = kept;
    this.count++;
  }
}
