import { InvalidInputError } from '../errors/errors.js';

/**
 * Byte/text conversions used wherever keys, digests and signatures cross a JSON or CLI
 * boundary. Hex is always lowercase without 0x on output so two encodings of the same bytes
 * compare equal as strings (key ids, trusted-key lists, keystore headers rely on that).
 */

const HEX_RE = /^[0-9a-fA-F]*$/;

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Accepts an optional 0x prefix and either case; anything else is refused rather than guessed. */
export function fromHex(hex: string, field = 'hex'): Uint8Array {
  if (typeof hex !== 'string') throw new InvalidInputError(`${field} must be a hex string`, { field });
  const body = hex.startsWith('0x') || hex.startsWith('0X') ? hex.slice(2) : hex;
  if (body.length % 2 !== 0) throw new InvalidInputError(`${field} has an odd number of hex digits`, { field });
  // Buffer.from(…, 'hex') silently stops at the first bad digit, so check first.
  if (!HEX_RE.test(body)) throw new InvalidInputError(`${field} is not hex`, { field });
  return new Uint8Array(Buffer.from(body, 'hex'));
}

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict standard base64 with padding; Buffer's own decoder would accept garbage silently. */
export function fromBase64(b64: string, field = 'base64'): Uint8Array {
  if (typeof b64 !== 'string' || !BASE64_RE.test(b64)) {
    throw new InvalidInputError(`${field} is not padded base64`, { field });
  }
  return new Uint8Array(Buffer.from(b64, 'base64'));
}

export function utf8(str: string): Uint8Array {
  return new TextEncoder().encode(str);
}

/** Constant-time equality for secrets and MAC-like values; length is not secret. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
