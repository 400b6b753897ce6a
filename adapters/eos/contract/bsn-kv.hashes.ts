/**
 * Derived keys the adapter computes the same way (adapters/eos/src/contract-keys.ts): app,
 * request and channel ids from SHA-256, the byte-ordered head of a key, and the content hash
 * that tells a repeated request from a conflicting one.
 */
import { U128, Checksum256, sha256 } from 'proton-tsc';

export function utf8(s: string): u8[] {
  const buffer = Uint8Array.wrap(String.UTF8.encode(s));
  const out = new Array<u8>(buffer.length);
  for (let i = 0; i < buffer.length; i++) out[i] = buffer[i];
  return out;
}

/** The first 8 bytes of SHA-256(bytes), little-endian: a table id. */
export function idOf(bytes: u8[]): u64 {
  const digest = sha256(bytes).data;
  let id: u64 = 0;
  for (let i = 7; i >= 0; i--) id = (id << 8) | (<u64>digest[i]);
  return id;
}

function bigEndian(bytes: u8[], from: i32): u64 {
  let n: u64 = 0;
  for (let i = from; i < from + 8; i++) n = (n << 8) | (i < bytes.length ? <u64>bytes[i] : 0);
  return n;
}

/** The key's first 16 UTF-8 bytes as a number (zero-padded): numeric order is byte order. */
export function headOf(key: string): U128 {
  const bytes = utf8(key);
  return new U128(bigEndian(bytes, 8), bigEndian(bytes, 0));
}

/** What a request wrote: SHA-256(method ‖ key ‖ 0x00 ‖ value); keys never hold U+0000. */
export function contentOf(method: u8, key: string, value: u8[]): Checksum256 {
  const bytes: u8[] = [method];
  const k = utf8(key);
  for (let i = 0; i < k.length; i++) bytes.push(k[i]);
  bytes.push(0);
  for (let i = 0; i < value.length; i++) bytes.push(value[i]);
  return sha256(bytes);
}

/** A channel's id: the destination chain and app, 0x00-separated. */
export function channelOf(dstchain: string, dstapp: string): u64 {
  const bytes = utf8(dstchain);
  bytes.push(0);
  const app = utf8(dstapp);
  for (let i = 0; i < app.length; i++) bytes.push(app[i]);
  return idOf(bytes);
}
