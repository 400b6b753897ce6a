/**
 * Canonical base64 (RFC 4648, padded) both ways: a packet's payload arrives as text and a
 * delivered call's result leaves as text, and the chain must agree with core on both byte
 * for byte. Decoding refuses anything that would not encode back to the same text.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function sextet(c: i32): i32 {
  if (c >= 65 && c <= 90) return c - 65;
  if (c >= 97 && c <= 122) return c - 71;
  if (c >= 48 && c <= 57) return c + 4;
  if (c == 43) return 62;
  if (c == 47) return 63;
  return -1;
}

export function encodeBase64(bytes: u8[]): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = bytes.length - i;
    const b0 = <i32>bytes[i];
    const b1 = n > 1 ? <i32>bytes[i + 1] : 0;
    const b2 = n > 2 ? <i32>bytes[i + 2] : 0;
    out += ALPHABET.charAt(b0 >> 2) + ALPHABET.charAt(((b0 & 3) << 4) | (b1 >> 4));
    out += n > 1 ? ALPHABET.charAt(((b1 & 15) << 2) | (b2 >> 6)) : '=';
    out += n > 2 ? ALPHABET.charAt(b2 & 63) : '=';
  }
  return out;
}

/** The bytes of canonical base64 text, or null for text that is not. */
export function decodeBase64(s: string): u8[] | null {
  if (s.length % 4 != 0) return null;
  const out: u8[] = [];
  for (let i = 0; i < s.length; i += 4) {
    const last = i + 4 == s.length;
    const c0 = sextet(s.charCodeAt(i));
    const c1 = sextet(s.charCodeAt(i + 1));
    if (c0 < 0 || c1 < 0) return null;
    out.push(<u8>((c0 << 2) | (c1 >> 4)));
    const p2 = s.charCodeAt(i + 2) == 61;
    const p3 = s.charCodeAt(i + 3) == 61;
    if (p2 || p3) {
      if (!last || (p2 && !p3)) return null;
      if (p2) {
        if ((c1 & 15) != 0) return null;
        continue;
      }
      const c2 = sextet(s.charCodeAt(i + 2));
      if (c2 < 0 || (c2 & 3) != 0) return null;
      out.push(<u8>(((c1 & 15) << 4) | (c2 >> 2)));
      continue;
    }
    const c2 = sextet(s.charCodeAt(i + 2));
    const c3 = sextet(s.charCodeAt(i + 3));
    if (c2 < 0 || c3 < 0) return null;
    out.push(<u8>(((c1 & 15) << 4) | (c2 >> 2)));
    out.push(<u8>(((c2 & 3) << 6) | c3));
  }
  return out;
}

/** Well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF), as a fatal decoder reads it. */
export function isUtf8(b: u8[]): bool {
  let i = 0;
  while (i < b.length) {
    const c = <u32>b[i];
    let n = 0;
    let min: u32 = 0;
    let cp: u32 = 0;
    if (c < 0x80) {
      i++;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) {
      n = 1;
      cp = c & 0x1f;
      min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      cp = c & 0x0f;
      min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      cp = c & 0x07;
      min = 0x10000;
    } else return false;
    if (i + n >= b.length) return false;
    for (let k = 1; k <= n; k++) {
      const d = <u32>b[i + k];
      if ((d & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}
