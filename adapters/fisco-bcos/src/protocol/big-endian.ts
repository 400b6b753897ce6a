/** Fixed-width big-endian integers, as FISCO's hash inputs write them (`boost::endian::native_to_big`). */
export function be32(value: number | bigint): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setInt32(0, Number(BigInt.asIntN(32, BigInt(value))));
  return out;
}

export function be64(value: number | bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, BigInt.asIntN(64, BigInt(value)));
  return out;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export const utf8Bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
