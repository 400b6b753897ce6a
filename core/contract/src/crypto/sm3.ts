import { sm3 as sm3Hex } from 'sm-crypto-v2';

/** SM3 hash (GB/T 32905-2016), 32 bytes. */
export function sm3(data: Uint8Array): Uint8Array {
  // The library returns hex; a string input would be read as UTF-8 text, so pass bytes only.
  return new Uint8Array(Buffer.from(sm3Hex(Uint8Array.from(data)), 'hex'));
}
