import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '@bsn/contract';
import {
  EMPTY_ROOT,
  MerkleAccumulator,
  consistencyProof,
  hashesFromHex,
  hashesToHex,
  hashLeaf,
  inclusionProof,
  merkleTreeHead,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
} from './merkle.js';

/*
 * The RFC 6962 / RFC 9162 reference vectors, as published in transparency-dev/merkle,
 * proof/verify_test.go (commit 02194e9afb6c1d95b5381350007963aa70fff472): `leaves`, `roots`,
 * `inclusionProofs` and `consistencyProofs`. The same roots appear in
 * google/certificate-transparency's C++ merkle tree tests. That file numbers inclusion leaves
 * from 1; the indexes below are 0-based.
 */
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) => fromHex(h));
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const INCLUSION = [
  {
    index: 0,
    size: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { index: 2, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    index: 1,
    size: 5,
    proof: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];
const CONSISTENCY = [
  {
    first: 1,
    second: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    first: 6,
    second: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    first: 2,
    second: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  {
    first: 6,
    second: 7,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];

const hex = (hashes: readonly Uint8Array[]) => hashes.map((h) => toHex(h));
const flip = (h: Uint8Array, at: number): Uint8Array => {
  const copy = new Uint8Array(h);
  copy[at] = copy[at]! ^ 0x01;
  return copy;
};
const leafHashesOf = (n: number): Uint8Array[] => Array.from({ length: n }, (_, i) => hashLeaf(new TextEncoder().encode(`leaf ${i}`)));

describe('RFC 9162 Merkle tree: reference vectors', () => {
  it('hashes the empty tree as SHA-256 of nothing', () => {
    expect(toHex(EMPTY_ROOT)).toBe(createHash('sha256').digest('hex'));
    expect(toHex(merkleTreeHead([]))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('computes the published roots for sizes 1..8', () => {
    for (let n = 1; n <= 8; n++) expect(toHex(merkleTreeHead(LEAVES.slice(0, n))), `MTH of ${n} leaves`).toBe(ROOTS[n - 1]);
  });

  it('generates and verifies the published inclusion proofs', () => {
    const hashes = LEAVES.map(hashLeaf);
    for (const v of INCLUSION) {
      expect(hex(inclusionProof(v.index, hashes, v.size))).toEqual(v.proof);
      const proof = v.proof.map((h) => fromHex(h));
      expect(verifyInclusion(v.index, v.size, hashes[v.index]!, proof, fromHex(ROOTS[v.size - 1]!))).toBe(true);
    }
  });

  it('generates and verifies the published consistency proofs', () => {
    const hashes = LEAVES.map(hashLeaf);
    for (const v of CONSISTENCY) {
      expect(hex(consistencyProof(v.first, hashes, v.second))).toEqual(v.proof);
      const proof = v.proof.map((h) => fromHex(h));
      expect(verifyConsistency(v.first, v.second, proof, fromHex(ROOTS[v.first - 1]!), fromHex(ROOTS[v.second - 1]!))).toBe(true);
    }
  });
});

describe('RFC 9162 Merkle tree: exhaustive self-checks', () => {
  const MAX = 64;
  const hashes = leafHashesOf(MAX + 1);
  const roots = Array.from({ length: MAX + 2 }, (_, n) => rootFromLeafHashes(hashes, Math.min(n, hashes.length)));

  it(`verifies every leaf's inclusion proof in every tree up to ${MAX} leaves, and refuses every corruption`, () => {
    let checked = 0;
    for (let n = 1; n <= MAX; n++) {
      const root = roots[n]!;
      for (let i = 0; i < n; i++) {
        const proof = inclusionProof(i, hashes, n);
        const leaf = hashes[i]!;
        expect(verifyInclusion(i, n, leaf, proof, root), `leaf ${i} of ${n}`).toBe(true);
        // No `size + 1` probe: trees of n and n + 1 leaves can give a leaf the same path shape,
        // so a proof does not pin the size on its own — the signed tree head binds size to root.
        const bad: [string, boolean][] = [
          ['index - 1', i > 0 && verifyInclusion(i - 1, n, leaf, proof, root)],
          ['index + 1', verifyInclusion(i + 1, n, leaf, proof, root)],
          ['index ^ 2', verifyInclusion(i ^ 2, n, leaf, proof, root)],
          ['size * 2', verifyInclusion(i, n * 2, leaf, proof, root)],
          ['size / 2', verifyInclusion(i, Math.floor(n / 2), leaf, proof, root)],
          ['other leaf', verifyInclusion(i, n, hashes[(i + 1) % (MAX + 1)]!, proof, root)],
          ['other root', verifyInclusion(i, n, leaf, proof, roots[n + 1]!)],
          ['empty root', verifyInclusion(i, n, leaf, proof, EMPTY_ROOT)],
          ['extra node', verifyInclusion(i, n, leaf, [...proof, root], root)],
          ['extra node first', verifyInclusion(i, n, leaf, [root, ...proof], root)],
          ['missing node', proof.length > 0 && verifyInclusion(i, n, leaf, proof.slice(0, -1), root)],
          ['short node', proof.length > 0 && verifyInclusion(i, n, leaf, [proof[0]!.subarray(1), ...proof.slice(1)], root)],
          ['flipped leaf', verifyInclusion(i, n, flip(leaf, i % 32), proof, root)],
          ['flipped root', verifyInclusion(i, n, leaf, proof, flip(root, n % 32))],
        ];
        for (let p = 0; p < proof.length; p++) {
          // Every byte of every node for the small trees; one byte per node beyond, to stay fast.
          const bytes = n <= 12 ? [...Array(32).keys()] : [(i + p * 7) % 32];
          for (const b of bytes) {
            const wrong = [...proof];
            wrong[p] = flip(proof[p]!, b);
            bad.push([`node ${p} byte ${b}`, verifyInclusion(i, n, leaf, wrong, root)]);
          }
        }
        for (const [what, ok] of bad) expect(ok, `leaf ${i} of ${n}: ${what}`).toBe(false);
        checked++;
      }
    }
    expect(checked).toBe((MAX * (MAX + 1)) / 2);
  });

  it(`verifies every consistency proof between sizes up to ${MAX}, and refuses every corruption`, () => {
    for (let n = 1; n <= MAX; n++) {
      for (let m = 0; m <= n; m++) {
        const proof = consistencyProof(m, hashes, n);
        const [r1, r2] = [roots[m]!, roots[n]!];
        expect(verifyConsistency(m, n, proof, r1, r2), `${m} → ${n}`).toBe(true);
        if (m === 0 || m === n) {
          expect(proof).toEqual([]);
          expect(verifyConsistency(m, n, [r2], r1, r2), `${m} → ${n} with a needless node`).toBe(false);
          if (m === n) expect(verifyConsistency(m, n, [], r1, roots[n + 1]!), `${m} → ${n}, another head`).toBe(false);
          else expect(verifyConsistency(0, n, [], r2, r2), `0 → ${n} from a non-empty head`).toBe(false);
          continue;
        }
        // As for inclusion, no `second + 1` probe: the signed tree head binds size to root.
        const bad: [string, boolean][] = [
          ['first - 1', verifyConsistency(m - 1, n, proof, r1, r2)],
          ['first + 1', verifyConsistency(m + 1, n, proof, r1, r2)],
          ['first ^ 2', verifyConsistency(m ^ 2, n, proof, r1, r2)],
          ['second * 2', verifyConsistency(m, n * 2, proof, r1, r2)],
          ['second / 2', verifyConsistency(m, Math.floor(n / 2), proof, r1, r2)],
          ['swapped roots', verifyConsistency(m, n, proof, r2, r1)],
          ['other first root', verifyConsistency(m, n, proof, roots[m - 1]!, r2)],
          ['other second root', verifyConsistency(m, n, proof, r1, roots[n + 1]!)],
          ['swapped sizes', verifyConsistency(n, m, proof, r2, r1)],
          ['empty proof', verifyConsistency(m, n, [], r1, r2)],
          ['extra node', verifyConsistency(m, n, [...proof, r1], r1, r2)],
          ['extra node first', verifyConsistency(m, n, [proof[0]!, ...proof], r1, r2)],
          ['missing node', verifyConsistency(m, n, proof.slice(0, -1), r1, r2)],
          ['missing first node', verifyConsistency(m, n, proof.slice(1), r1, r2)],
          ['short node', verifyConsistency(m, n, [proof[0]!.subarray(0, 31), ...proof.slice(1)], r1, r2)],
        ];
        for (let p = 0; p < proof.length; p++) {
          const bytes = n <= 12 ? [...Array(32).keys()] : [(m + p * 5) % 32];
          for (const b of bytes) {
            const wrong = [...proof];
            wrong[p] = flip(proof[p]!, b);
            bad.push([`node ${p} byte ${b}`, verifyConsistency(m, n, wrong, r1, r2)]);
          }
        }
        for (const [what, ok] of bad) expect(ok, `${m} → ${n}: ${what}`).toBe(false);
      }
    }
  });

  it('grows a head leaf by leaf that matches MTH at every size', () => {
    const acc = new MerkleAccumulator();
    expect(toHex(acc.root())).toBe(toHex(EMPTY_ROOT));
    for (let n = 1; n <= MAX; n++) {
      acc.push(hashes[n - 1]!);
      expect(acc.size).toBe(n);
      expect(toHex(acc.root()), `size ${n}`).toBe(toHex(roots[n]!));
    }
  });

  it('reads proofs from hex only when every node is 32 bytes', () => {
    const proof = inclusionProof(3, hashes, 9);
    expect(hashesFromHex(hashesToHex(proof))?.map((h) => toHex(h))).toEqual(hex(proof));
    for (const bad of [undefined, 'ab', [1], ['zz'.repeat(32)], ['ab'.repeat(31)], ['ab'.repeat(33)]])
      expect(hashesFromHex(bad)).toBeUndefined();
  });

  it('fails closed on malformed input instead of throwing', () => {
    const h = hashes[0]!;
    const junk: unknown[] = [undefined, null, -1, 1.5, NaN, Infinity, '1', 2 ** 53, {}];
    for (const x of junk) {
      expect(verifyInclusion(x as number, 1, h, [], h)).toBe(false);
      expect(verifyInclusion(0, x as number, h, [], h)).toBe(false);
      expect(verifyConsistency(x as number, 2, [h], h, h)).toBe(false);
      expect(verifyConsistency(1, x as number, [h], h, h)).toBe(false);
      expect(verifyInclusion(0, 1, x as Uint8Array, [], h)).toBe(false);
      expect(verifyInclusion(0, 2, h, x as Uint8Array[], h)).toBe(false);
      expect(verifyInclusion(0, 2, h, [x as Uint8Array], h)).toBe(false);
      expect(verifyConsistency(1, 2, x as Uint8Array[], h, h)).toBe(false);
      expect(verifyConsistency(1, 2, [h], x as Uint8Array, h)).toBe(false);
    }
    expect(verifyInclusion(0, 0, h, [], h)).toBe(false);
    expect(verifyInclusion(0, 1, h, [], h)).toBe(true);
    expect(() => inclusionProof(3, hashes, 3)).toThrow(RangeError);
    expect(() => consistencyProof(4, hashes, 3)).toThrow(RangeError);
  });

  it('handles tree sizes beyond 2^32 without 32-bit wraparound', () => {
    // The last leaf of a tree of 2^32 + 1 leaves has a one-node path: the left subtree of 2^32 leaves.
    const left = hashes[1]!;
    const leaf = hashes[2]!;
    const root = (() => {
      const r = new Uint8Array(createHash('sha256').update(Uint8Array.of(1)).update(left).update(leaf).digest());
      return r;
    })();
    expect(verifyInclusion(2 ** 32, 2 ** 32 + 1, leaf, [left], root)).toBe(true);
    expect(verifyInclusion(2 ** 31, 2 ** 32 + 1, leaf, [left], root)).toBe(false);
  });
});
