import { InvalidInputError } from '../errors/errors.js';

/**
 * The preset contract's list cursor, as both bundled adapters make it: `k1.` + base64url of
 * the last key returned, so resuming needs no state on the node.
 */
const CURSOR = /^k1\.([A-Za-z0-9_-]+)$/;

export function encodeKeyCursor(lastKey: string): string {
  return `k1.${Buffer.from(lastKey, 'utf8').toString('base64url')}`;
}

/**
 * The key a cursor resumes after; InvalidInputError (`/cursor`) for anything `encodeKeyCursor`
 * did not make for `prefix`. No key holds U+0000 (`checkKey` refuses it), so no cursor does:
 * a list may resume from `last key + U+0000`.
 */
export function decodeKeyCursor(cursor: unknown, prefix: string): string {
  const m = typeof cursor === 'string' ? CURSOR.exec(cursor) : null;
  // Bytes that are not UTF-8 decode to U+FFFD, which encodes back to other bytes: the
  // round-trip check below refuses them.
  const key = m ? Buffer.from(m[1]!, 'base64url').toString('utf8') : undefined;
  if (key === undefined || key.length === 0 || key.includes('\u0000') || !key.startsWith(prefix) || encodeKeyCursor(key) !== cursor) {
    throw new InvalidInputError('the cursor is not one this list returned', { field: '/cursor' });
  }
  return key;
}

/** `fn` over `items`, at most `size` at a time (look-ups that a node should not get all at once). */
export async function mapInBatches<T, R>(items: T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}
