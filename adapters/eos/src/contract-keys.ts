/**
 * The preset contract's derived keys, computed as contract/bsn-kv.hashes.ts computes them:
 * an app's id (its table scope), the byte-ordered head of a key, the content hash of a write.
 */
import { createHash } from 'node:crypto';

const sha256 = (bytes: Uint8Array) => new Uint8Array(createHash('sha256').update(bytes).digest());
const utf8 = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

/** The first 8 bytes of SHA-256(bytes), little-endian. */
export function idOf(bytes: Uint8Array): bigint {
  return Buffer.from(sha256(bytes)).readBigUInt64LE(0);
}

/** An app's id: the primary key of its `apps` row and the scope of its tables (decimal). */
export const appScope = (appId: string): string => idOf(utf8(appId)).toString();

/** A key's first 16 UTF-8 bytes as a number, zero-padded (decimal): numeric order is byte order. */
export function headOf(key: string): string {
  const bytes = Buffer.alloc(16);
  Buffer.from(key, 'utf8').copy(bytes, 0, 0, 16);
  return ((bytes.readBigUInt64BE(0) << 64n) | bytes.readBigUInt64BE(8)).toString();
}

/** The largest head of keys starting with `prefix`: its first 16 bytes, padded with 0xff. */
export function lastHeadOf(prefix: string): string {
  const bytes = Buffer.alloc(16, 0xff);
  Buffer.from(prefix, 'utf8').copy(bytes, 0, 0, 16);
  return ((bytes.readBigUInt64BE(0) << 64n) | bytes.readBigUInt64BE(8)).toString();
}

export const PUT = 1;
export const DEL = 2;

/** SHA-256(method ‖ key ‖ 0x00 ‖ value), hex: what a request id wrote. */
export function contentOf(method: typeof PUT | typeof DEL, key: string, value: Uint8Array = new Uint8Array(0)): string {
  return Buffer.from(sha256(Buffer.concat([Buffer.from([method]), utf8(key), Buffer.from([0]), value]))).toString('hex');
}
