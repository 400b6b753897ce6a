import { TarsType, type TarsTypeCode } from './tars-head.js';

/**
 * Writes TARS the way FISCO's SDKs do (TarsGo's `codec.Buffer`, the C++ generated code): an
 * integer in the smallest signed width that holds it and `ZERO` for 0, a string in `STRING1`
 * up to 255 bytes, `vector<byte>` as a `SIMPLE_LIST`.
 */
export class TarsWriter {
  private chunks: Uint8Array[] = [];
  private size = 0;

  head(type: TarsTypeCode, tag: number): this {
    if (!Number.isInteger(tag) || tag < 0 || tag > 255) throw new RangeError(`TARS tag ${tag} is out of range`);
    return tag < 15 ? this.raw(Uint8Array.of((tag << 4) | type)) : this.raw(Uint8Array.of(0xf0 | type, tag));
  }

  int(value: number | bigint, tag: number): this {
    const v = BigInt(value);
    if (v === 0n) return this.head(TarsType.ZERO, tag);
    if (v >= -128n && v <= 127n) return this.head(TarsType.INT8, tag).raw(Uint8Array.of(Number(v) & 0xff));
    const view = (bytes: number, write: (d: DataView) => void) => {
      const b = new Uint8Array(bytes);
      write(new DataView(b.buffer));
      return b;
    };
    if (v >= -32768n && v <= 32767n) return this.head(TarsType.INT16, tag).raw(view(2, (d) => d.setInt16(0, Number(v))));
    if (v >= -2147483648n && v <= 2147483647n) return this.head(TarsType.INT32, tag).raw(view(4, (d) => d.setInt32(0, Number(v))));
    if (v >= -(2n ** 63n) && v < 2n ** 63n) return this.head(TarsType.INT64, tag).raw(view(8, (d) => d.setBigInt64(0, v)));
    throw new RangeError(`TARS integer ${v} does not fit 64 bits`);
  }

  string(value: string | Uint8Array, tag: number): this {
    const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value;
    if (bytes.length <= 255) return this.head(TarsType.STRING1, tag).raw(Uint8Array.of(bytes.length)).raw(bytes);
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, bytes.length);
    return this.head(TarsType.STRING4, tag).raw(len).raw(bytes);
  }

  bytes(value: Uint8Array, tag: number): this {
    return this.head(TarsType.SIMPLE_LIST, tag).head(TarsType.INT8, 0).int(value.length, 0).raw(value);
  }

  struct(tag: number, body: (w: TarsWriter) => void): this {
    this.head(TarsType.STRUCT_BEGIN, tag);
    body(this);
    return this.head(TarsType.STRUCT_END, 0);
  }

  list<T>(items: readonly T[], tag: number, item: (w: TarsWriter, value: T) => void): this {
    this.head(TarsType.LIST, tag).int(items.length, 0);
    for (const value of items) item(this, value);
    return this;
  }

  raw(bytes: Uint8Array): this {
    this.chunks.push(bytes);
    this.size += bytes.length;
    return this;
  }

  toBytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}
