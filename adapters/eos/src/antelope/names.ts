/**
 * Account names: up to 12 characters of `a-z`, `1-5` and `.` (a 13th is possible but never
 * made here), and their 64-bit form, which table scopes use.
 * (@wharfkit/antelope: `Name.from(…).value`.)
 */
import { Serialize } from 'eosjs';

const NAME = /^[a-z1-5.]{1,12}$/;

export const isAccountName = (value: unknown): value is string => typeof value === 'string' && NAME.test(value) && !value.endsWith('.');

/** A name's 64-bit value as a decimal string (how `get_table_rows` takes a numeric scope). */
export function nameValue(name: string): bigint {
  const buffer = new Serialize.SerialBuffer({ textEncoder: new TextEncoder(), textDecoder: new TextDecoder() });
  buffer.pushName(name);
  return Buffer.from(buffer.asUint8Array()).readBigUInt64LE(0);
}

/** The name whose 64-bit value is `value` (a table scope made from a number). */
export function nameOf(value: bigint): string {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(value);
  const buffer = new Serialize.SerialBuffer({
    textEncoder: new TextEncoder(),
    textDecoder: new TextDecoder(),
    array: new Uint8Array(bytes),
  });
  return buffer.getName();
}
