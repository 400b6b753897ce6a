/**
 * RFC 9162 §2.1 Merkle tree hashing, written from the RFC's text: the tree head of n leaves,
 * inclusion proofs (§2.1.3) and consistency proofs (§2.1.4), their generation and verification.
 *
 * Hashes are 32-byte SHA-256 values. Leaf and interior hashes are domain-separated (0x00 and
 * 0x01 prefixes) so a leaf can never be passed off as an interior node (second pre-image).
 *
 * Verification never throws: malformed input (wrong hash length, negative or fractional sizes,
 * an index out of range, a proof of the wrong length) is a failed proof, because a verifier
 * that throws invites callers to catch and carry on.
 *
 * Sizes and indexes are JavaScript numbers up to 2^53; the bit steps of the RFC's algorithms use
 * arithmetic (% 2, / 2) rather than the 32-bit `>>` and `&` operators, which would wrap at 2^31.
 */
import { createHash } from 'node:crypto';

export const HASH_BYTES = 32;

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

/** MTH({}) = SHA-256() — the head of the empty tree. */
export const EMPTY_ROOT: Uint8Array = createHash('sha256').digest();

/** MTH({d}) = SHA-256(0x00 ‖ d). */
export function hashLeaf(leaf: Uint8Array): Uint8Array {
  return createHash('sha256').update(LEAF_PREFIX).update(leaf).digest();
}

/** SHA-256(0x01 ‖ left ‖ right). */
export function hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** The largest power of two strictly smaller than n (n ≥ 2): where RFC 9162 splits a tree. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH of hashes[start, end), from leaf hashes. */
function subtreeRoot(hashes: readonly Uint8Array[], start: number, end: number): Uint8Array {
  const n = end - start;
  if (n === 0) return EMPTY_ROOT;
  if (n === 1) return hashes[start]!;
  const k = splitPoint(n);
  return hashChildren(subtreeRoot(hashes, start, start + k), subtreeRoot(hashes, start + k, end));
}

/** The Merkle tree head of the first `size` leaves (default: all), given their leaf hashes. */
export function rootFromLeafHashes(leafHashes: readonly Uint8Array[], size = leafHashes.length): Uint8Array {
  if (!isSize(size) || size > leafHashes.length) throw new RangeError(`tree size ${size} is not within 0..${leafHashes.length}`);
  return subtreeRoot(leafHashes, 0, size);
}

/** MTH(D[n]) of raw leaves. */
export function merkleTreeHead(leaves: readonly Uint8Array[]): Uint8Array {
  return rootFromLeafHashes(leaves.map(hashLeaf));
}

/** PATH(m, D[start:end]) of RFC 9162 §2.1.3.1, m relative to start. */
function path(m: number, hashes: readonly Uint8Array[], start: number, end: number): Uint8Array[] {
  const n = end - start;
  if (n <= 1) return [];
  const k = splitPoint(n);
  if (m < k) return [...path(m, hashes, start, start + k), subtreeRoot(hashes, start + k, end)];
  return [...path(m - k, hashes, start + k, end), subtreeRoot(hashes, start, start + k)];
}

/** The inclusion proof of leaf `index` in the tree of the first `size` leaves (default: all). */
export function inclusionProof(index: number, leafHashes: readonly Uint8Array[], size = leafHashes.length): Uint8Array[] {
  if (!isSize(size) || size > leafHashes.length) throw new RangeError(`tree size ${size} is not within 0..${leafHashes.length}`);
  if (!isSize(index) || index >= size) throw new RangeError(`leaf index ${index} is not within 0..${size - 1}`);
  return path(index, leafHashes, 0, size);
}

/** SUBPROOF(m, D[start:end], b) of RFC 9162 §2.1.4.1, m relative to start. */
function subproof(m: number, hashes: readonly Uint8Array[], start: number, end: number, complete: boolean): Uint8Array[] {
  const n = end - start;
  if (m === n) return complete ? [] : [subtreeRoot(hashes, start, end)];
  const k = splitPoint(n);
  if (m <= k) return [...subproof(m, hashes, start, start + k, complete), subtreeRoot(hashes, start + k, end)];
  return [...subproof(m - k, hashes, start + k, end, false), subtreeRoot(hashes, start, start + k)];
}

/**
 * The consistency proof between the trees of the first `first` and `second` leaves (default:
 * all). Empty when first is 0 or equals second: those need no proof (see verifyConsistency).
 */
export function consistencyProof(first: number, leafHashes: readonly Uint8Array[], second = leafHashes.length): Uint8Array[] {
  if (!isSize(second) || second > leafHashes.length) throw new RangeError(`tree size ${second} is not within 0..${leafHashes.length}`);
  if (!isSize(first) || first > second) throw new RangeError(`tree size ${first} is not within 0..${second}`);
  if (first === 0 || first === second) return [];
  return subproof(first, leafHashes, 0, second, true);
}

function isSize(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

function isHash(h: unknown): h is Uint8Array {
  return h instanceof Uint8Array && h.length === HASH_BYTES;
}

function isProof(proof: unknown): proof is readonly Uint8Array[] {
  return Array.isArray(proof) && proof.every(isHash);
}

/** Equal hashes; not constant time — everything compared here is public. */
function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const odd = (x: number): boolean => x % 2 === 1;
const half = (x: number): number => Math.floor(x / 2);

/**
 * RFC 9162 §2.1.3.2: whether `proof` shows that `leafHash` is leaf `index` of the tree of
 * `size` leaves whose head is `root`.
 */
export function verifyInclusion(
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!isSize(index) || !isSize(size) || index >= size) return false;
  if (!isHash(leafHash) || !isHash(root) || !isProof(proof)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = hashChildren(p, r);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = hashChildren(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && sameHash(r, root);
}

/**
 * RFC 9162 §2.1.4.2: whether `proof` shows that the tree of `first` leaves with head
 * `firstRoot` is a prefix of the tree of `second` leaves with head `secondRoot`.
 *
 * The RFC's algorithm covers 0 < first < second. The edges are decided here, strictly:
 * first = second needs an empty proof and equal heads; first = 0 needs an empty proof and
 * `firstRoot` must be the empty tree's head (anything else was never a real head of size 0);
 * first > second fails — a log never shrinks.
 */
export function verifyConsistency(
  first: number,
  second: number,
  proof: readonly Uint8Array[],
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
): boolean {
  if (!isSize(first) || !isSize(second) || first > second) return false;
  if (!isHash(firstRoot) || !isHash(secondRoot) || !isProof(proof)) return false;
  if (first === second) return proof.length === 0 && sameHash(firstRoot, secondRoot);
  if (first === 0) return proof.length === 0 && sameHash(firstRoot, EMPTY_ROOT);
  if (proof.length === 0) return false;
  // A first tree that is a complete subtree of the second is its own first proof node.
  const path = isPowerOfTwo(first) ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && sameHash(fr, firstRoot) && sameHash(sr, secondRoot);
}

function isPowerOfTwo(n: number): boolean {
  let k = 1;
  while (k < n) k *= 2;
  return k === n;
}

/**
 * The head of a growing tree in O(log n) per leaf: keeps the roots of the perfect subtrees
 * the leaves so far split into (RFC 9162's left subtrees are always perfect), largest first.
 * Audits use it to check a head after every leaf without rehashing the whole tree each time.
 */
export class MerkleAccumulator {
  /** [height, hash] of each perfect subtree, left to right, heights strictly decreasing. */
  private readonly peaks: [number, Uint8Array][] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(leafHash: Uint8Array): void {
    let node: [number, Uint8Array] = [0, leafHash];
    while (this.peaks.length > 0 && this.peaks[this.peaks.length - 1]![0] === node[0]) {
      const [height, left] = this.peaks.pop()!;
      node = [height + 1, hashChildren(left, node[1])];
    }
    this.peaks.push(node);
    this.count++;
  }

  /** MTH of the leaves pushed so far: the peaks folded from the right. */
  root(): Uint8Array {
    if (this.peaks.length === 0) return EMPTY_ROOT;
    let acc = this.peaks[this.peaks.length - 1]![1];
    for (let i = this.peaks.length - 2; i >= 0; i--) acc = hashChildren(this.peaks[i]![1], acc);
    return acc;
  }
}

/** Hex-encoded hashes (a proof on the wire) as bytes; undefined unless every one is 32 bytes of hex. */
export function hashesFromHex(list: unknown): Uint8Array[] | undefined {
  if (!Array.isArray(list)) return undefined;
  const out: Uint8Array[] = [];
  for (const h of list) {
    if (typeof h !== 'string' || !/^[0-9a-fA-F]{64}$/.test(h)) return undefined;
    out.push(new Uint8Array(Buffer.from(h, 'hex')));
  }
  return out;
}

export function hashesToHex(list: readonly Uint8Array[]): string[] {
  return list.map((h) => Buffer.from(h.buffer, h.byteOffset, h.byteLength).toString('hex'));
}
