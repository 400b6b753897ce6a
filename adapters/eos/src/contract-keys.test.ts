import { describe, expect, it } from 'vitest';
import { contentOf, DEL, headOf, lastHeadOf, PUT } from './contract-keys.js';

describe("the preset contract's derived keys", () => {
  it('heads order keys byte-wise by their first 16 bytes', () => {
    const keys = ['Z', 'a', 'a0', 'b', 'é', '区块链', '🙂'].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    const heads = keys.map((k) => BigInt(headOf(k)));
    for (let i = 1; i < heads.length; i++) expect(heads[i]! > heads[i - 1]!, keys[i]).toBe(true);
    expect(headOf('aaaaaaaaaaaaaaaa-one')).toBe(headOf('aaaaaaaaaaaaaaaa-two'));
  });

  it("every key with a prefix lies between the prefix's head and its last head", () => {
    for (const key of ['p/', 'p/a', 'p/\u{10ffff}', 'p/' + 'z'.repeat(40)]) {
      expect(BigInt(headOf(key)) >= BigInt(headOf('p/')) && BigInt(headOf(key)) <= BigInt(lastHeadOf('p/')), key).toBe(true);
    }
    expect(BigInt(headOf('q')) > BigInt(lastHeadOf('p/'))).toBe(true);
  });

  it('a content hash tells method, key and value apart', () => {
    const v = new Uint8Array([1, 2]);
    expect(contentOf(PUT, 'k', v)).toBe(contentOf(PUT, 'k', new Uint8Array([1, 2])));
    expect(
      new Set([contentOf(PUT, 'k', v), contentOf(DEL, 'k'), contentOf(PUT, 'k\u0001', new Uint8Array([2])), contentOf(PUT, 'kk', v)]).size,
    ).toBe(4);
  });
});
