/** Byte encodings the signing code needs, with nothing from Node (this runs in the browser). */

export const toHex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

export function fromHex(hex: string, what = 'hex'): Uint8Array {
  const clean = hex.replace(/^0x/, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) throw new Error(`${what} is not hex`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A WebCrypto key, named from `crypto.subtle` so this compiles with Node's types (tests) and the DOM's (pages). */
export type SigningKey = Awaited<ReturnType<(typeof globalThis.crypto.subtle)['importKey']>>;
