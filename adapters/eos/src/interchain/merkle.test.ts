import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { IncrementalMerkle, merkleRoot } from './merkle.js';

const leaf = (i: number) => createHash('sha256').update(`leaf ${i}`).digest();

describe('merkle trees', () => {
  it('the incremental tree has the root of the whole tree after every append', () => {
    const merkle = new IncrementalMerkle();
    const leaves: Buffer[] = [];
    for (let i = 0; i < 70; i++) {
      leaves.push(leaf(i));
      merkle.append(leaf(i).toString('hex'));
      expect(merkle.root, `after ${i + 1} leaves`).toBe(Buffer.from(merkleRoot(leaves)).toString('hex'));
      expect(merkle.state.nodeCount).toBe(i + 1);
    }
  });

  it('continues from a saved state exactly as without the pause', () => {
    const a = new IncrementalMerkle();
    for (let i = 0; i < 13; i++) a.append(leaf(i).toString('hex'));
    const b = new IncrementalMerkle(a.state);
    for (let i = 13; i < 40; i++) {
      a.append(leaf(i).toString('hex'));
      b.append(leaf(i).toString('hex'));
    }
    expect(b.root).toBe(a.root);
  });

  it('an odd level repeats its last node; order and content matter; no leaves is all-zero', () => {
    expect(merkleRoot([])).toEqual(new Uint8Array(32));
    expect(merkleRoot([leaf(1)])).toEqual(new Uint8Array(leaf(1)));
    expect(Buffer.from(merkleRoot([leaf(1), leaf(2), leaf(3)])).equals(Buffer.from(merkleRoot([leaf(1), leaf(2), leaf(3), leaf(3)])))).toBe(
      true,
    );
    expect(Buffer.from(merkleRoot([leaf(1), leaf(2)])).equals(Buffer.from(merkleRoot([leaf(2), leaf(1)])))).toBe(false);
  });
});
