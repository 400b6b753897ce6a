import { describe, expect, it } from 'vitest';
import { isBsnError } from '../errors/errors.js';
import { decodeKeyCursor, encodeKeyCursor, mapInBatches } from './kv-cursor.js';

describe('list cursors', () => {
  it('round-trip any key under the prefix and refuse anything else at /cursor', () => {
    expect(decodeKeyCursor(encodeKeyCursor('a/é\u{10FFFF}'), 'a/')).toBe('a/é\u{10FFFF}');
    for (const bad of [encodeKeyCursor('b'), encodeKeyCursor('a\u0000'), 'k1.', 'k2.YQ', 'k1.YQ==', 42, 'k1._w', 'k1.Yf8']) {
      let error: unknown;
      try {
        decodeKeyCursor(bad, 'a');
      } catch (e) {
        error = e;
      }
      expect(isBsnError(error, 'INVALID_INPUT') && (error as { field?: string }).field).toBe('/cursor');
    }
  });

  it('maps in batches of at most `size` at once, in order', async () => {
    let running = 0;
    let most = 0;
    const out = await mapInBatches([1, 2, 3, 4, 5], 2, async (x) => {
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, 1));
      running--;
      return x * 10;
    });
    expect([out, most]).toEqual([[10, 20, 30, 40, 50], 2]);
  });
});
