import { TarsType } from './tars-head.js';

/** One decoded TARS value; structs keep their fields by tag. */
export type TarsValue =
  | { kind: 'int'; value: bigint }
  | { kind: 'float'; value: number }
  | { kind: 'string'; bytes: Uint8Array }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'list'; items: TarsValue[] }
  | { kind: 'map'; entries: Array<[TarsValue, TarsValue]> }
  | { kind: 'struct'; fields: TarsStruct };
export type TarsStruct = Map<number, TarsValue>;

/** Bytes that are not well-formed TARS, with where it went wrong. */
export class TarsDecodeError extends Error {
  override readonly name = 'TarsDecodeError';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at byte ${offset})`);
  }
}

/** Nesting deeper than any FISCO structure, refused so hostile input cannot exhaust the stack. */
const MAX_DEPTH = 16;

/**
 * Reads a TARS struct body (the fields of a top-level struct, no struct-begin head) into a
 * tree. Strict: a repeated tag, a length running past the end, an unknown type or trailing
 * bytes are errors, never skipped.
 */
export function readTarsStruct(bytes: Uint8Array): TarsStruct {
  const reader = new Cursor(bytes);
  const fields = reader.fields(0, false);
  if (!reader.done()) throw new TarsDecodeError('trailing bytes after the struct', reader.at);
  return fields;
}

class Cursor {
  at = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  done(): boolean {
    return this.at >= this.bytes.length;
  }

  /** Fields until the end of input (top level) or a STRUCT_END (nested). */
  fields(depth: number, nested: boolean): TarsStruct {
    if (depth > MAX_DEPTH) throw new TarsDecodeError('structs nested too deeply', this.at);
    const out: TarsStruct = new Map();
    for (;;) {
      if (this.done()) {
        if (nested) throw new TarsDecodeError('struct not closed', this.at);
        return out;
      }
      const start = this.at;
      const { tag, type } = this.head();
      if (type === TarsType.STRUCT_END) {
        if (!nested) throw new TarsDecodeError('struct end without a struct', start);
        return out;
      }
      if (out.has(tag)) throw new TarsDecodeError(`tag ${tag} appears twice`, start);
      out.set(tag, this.value(type, depth));
    }
  }

  private head(): { tag: number; type: number } {
    const first = this.u8();
    const type = first & 0x0f;
    let tag = first >> 4;
    if (tag === 15) tag = this.u8();
    return { tag, type };
  }

  private value(type: number, depth: number): TarsValue {
    switch (type) {
      case TarsType.ZERO:
        return { kind: 'int', value: 0n };
      case TarsType.INT8:
        return { kind: 'int', value: BigInt(this.take(1, 'int8') && this.view.getInt8(this.at - 1)) };
      case TarsType.INT16:
        this.take(2, 'int16');
        return { kind: 'int', value: BigInt(this.view.getInt16(this.at - 2)) };
      case TarsType.INT32:
        this.take(4, 'int32');
        return { kind: 'int', value: BigInt(this.view.getInt32(this.at - 4)) };
      case TarsType.INT64:
        this.take(8, 'int64');
        return { kind: 'int', value: this.view.getBigInt64(this.at - 8) };
      case TarsType.FLOAT:
        this.take(4, 'float');
        return { kind: 'float', value: this.view.getFloat32(this.at - 4) };
      case TarsType.DOUBLE:
        this.take(8, 'double');
        return { kind: 'float', value: this.view.getFloat64(this.at - 8) };
      case TarsType.STRING1:
        return { kind: 'string', bytes: this.slice(this.u8(), 'string') };
      case TarsType.STRING4: {
        this.take(4, 'string length');
        return { kind: 'string', bytes: this.slice(this.view.getUint32(this.at - 4), 'string') };
      }
      case TarsType.SIMPLE_LIST: {
        const inner = this.head();
        if (inner.type !== TarsType.INT8) throw new TarsDecodeError('a simple list holds bytes only', this.at);
        return { kind: 'bytes', bytes: this.slice(this.length(), 'byte list') };
      }
      case TarsType.LIST: {
        const n = this.length();
        const items: TarsValue[] = [];
        for (let i = 0; i < n; i++) items.push(this.value(this.head().type, depth + 1));
        return { kind: 'list', items };
      }
      case TarsType.MAP: {
        const n = this.length();
        const entries: Array<[TarsValue, TarsValue]> = [];
        for (let i = 0; i < n; i++) entries.push([this.value(this.head().type, depth + 1), this.value(this.head().type, depth + 1)]);
        return { kind: 'map', entries };
      }
      case TarsType.STRUCT_BEGIN:
        return { kind: 'struct', fields: this.fields(depth + 1, true) };
      default:
        throw new TarsDecodeError(`unknown TARS type ${type}`, this.at - 1);
    }
  }

  /** A length: an int with tag 0, non-negative, not beyond what is left. */
  private length(): number {
    const start = this.at;
    const { type } = this.head();
    const v = this.value(type, MAX_DEPTH);
    if (v.kind !== 'int' || v.value < 0n || v.value > BigInt(this.bytes.length - this.at)) {
      throw new TarsDecodeError('bad length', start);
    }
    return Number(v.value);
  }

  private u8(): number {
    this.take(1, 'head');
    return this.bytes[this.at - 1]!;
  }

  private take(n: number, what: string): true {
    if (this.at + n > this.bytes.length) throw new TarsDecodeError(`${what} runs past the end`, this.at);
    this.at += n;
    return true;
  }

  private slice(n: number, what: string): Uint8Array {
    this.take(n, what);
    return this.bytes.slice(this.at - n, this.at);
  }
}
