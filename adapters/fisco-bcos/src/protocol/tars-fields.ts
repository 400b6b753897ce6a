import { TarsDecodeError, type TarsStruct, type TarsValue } from './tars-reader.js';

/**
 * Typed reads of a decoded struct's fields by tag, each naming the field when it has the
 * wrong type. An absent optional field reads as its TARS default (0, "", empty).
 */
export class TarsFields {
  constructor(
    private readonly fields: TarsStruct,
    /** What the struct is, for messages: `transaction`, `transaction data`. */
    private readonly what: string,
  ) {}

  int(tag: number, name: string): bigint {
    const v = this.fields.get(tag);
    if (v === undefined) return 0n;
    if (v.kind !== 'int') throw this.wrong(name, tag, 'an integer', v);
    return v.value;
  }

  string(tag: number, name: string): string {
    const v = this.fields.get(tag);
    if (v === undefined) return '';
    if (v.kind !== 'string') throw this.wrong(name, tag, 'a string', v);
    const text = new TextDecoder('utf-8', { fatal: false }).decode(v.bytes);
    return text;
  }

  /** The raw bytes of a string field: FISCO hashes strings exactly as sent. */
  stringBytes(tag: number, name: string): Uint8Array {
    const v = this.fields.get(tag);
    if (v === undefined) return new Uint8Array(0);
    if (v.kind !== 'string') throw this.wrong(name, tag, 'a string', v);
    return v.bytes;
  }

  /** `vector<byte>`: a simple list, or (as TarsGo also accepts) a list of int8s. */
  bytes(tag: number, name: string): Uint8Array {
    const v = this.fields.get(tag);
    if (v === undefined) return new Uint8Array(0);
    if (v.kind === 'bytes') return v.bytes;
    if (v.kind === 'list' && v.items.every((i) => i.kind === 'int' && i.value >= -128n && i.value <= 255n)) {
      return Uint8Array.from(v.items.map((i) => Number((i as { value: bigint }).value) & 0xff));
    }
    throw this.wrong(name, tag, 'bytes', v);
  }

  struct(tag: number, name: string): TarsFields {
    const v = this.fields.get(tag);
    if (v === undefined) return new TarsFields(new Map(), name);
    if (v.kind !== 'struct') throw this.wrong(name, tag, 'a struct', v);
    return new TarsFields(v.fields, name);
  }

  private wrong(name: string, tag: number, expected: string, got: TarsValue): TarsDecodeError {
    return new TarsDecodeError(`${this.what}: field ${name} (tag ${tag}) must be ${expected}, not ${got.kind}`, 0);
  }
}
