/**
 * The digest of a transaction receipt, a leaf of `transaction_mroot` (Leap 4):
 * SHA-256(status u8 ‖ cpu_usage_us u32 LE ‖ net_usage_words varuint32 ‖ packed digest), where
 * the packed digest is SHA-256(compression u8 ‖ packed_trx (length-prefixed) ‖
 * SHA-256(signatures (count-prefixed) ‖ packed_context_free_data (length-prefixed))), or the
 * transaction id for an implicit (deferred) transaction.
 */
import { createHash } from 'node:crypto';
import { Serialize } from 'eosjs';

/** A receipt as `get_raw_block` gives it: the transaction is `[0, id]` (implicit) or `[1, packed]`. */
export interface RawReceipt {
  status: string | number;
  cpu_usage_us: number;
  net_usage_words: number;
  trx: [0, string] | [1, { signatures: string[]; compression: string | number; packed_context_free_data: string; packed_trx: string }];
}

export const RECEIPT_STATUS: Record<string, number> = { executed: 0, soft_fail: 1, hard_fail: 2, delayed: 3, expired: 4 };
export const COMPRESSION: Record<string, number> = { none: 0, zlib: 1 };

const sha256 = (bytes: Uint8Array) => new Uint8Array(createHash('sha256').update(bytes).digest());
const buffer = () => new Serialize.SerialBuffer({ textEncoder: new TextEncoder(), textDecoder: new TextDecoder() });

export function enumOf(table: Record<string, number>, value: unknown, what: string): number {
  const n = typeof value === 'number' && Object.values(table).includes(value) ? value : table[String(value)];
  if (n === undefined) throw new Error(`unknown ${what} ${JSON.stringify(value)}`);
  return n;
}

function packedDigest(trx: Extract<RawReceipt['trx'], [1, unknown]>[1]): Uint8Array {
  const prunable = buffer();
  prunable.pushVaruint32(trx.signatures.length);
  for (const signature of trx.signatures) prunable.pushSignature(signature);
  prunable.pushBytes(Buffer.from(trx.packed_context_free_data, 'hex'));
  const out = buffer();
  out.push(enumOf(COMPRESSION, trx.compression, 'compression'));
  out.pushBytes(Buffer.from(trx.packed_trx, 'hex'));
  out.pushArray(sha256(prunable.asUint8Array()));
  return sha256(out.asUint8Array());
}

export function receiptDigest(receipt: RawReceipt): Uint8Array {
  const out = buffer();
  out.push(enumOf(RECEIPT_STATUS, receipt.status, 'receipt status'));
  out.pushUint32(receipt.cpu_usage_us);
  out.pushVaruint32(receipt.net_usage_words);
  const [kind, trx] = receipt.trx;
  if (kind === 0) out.pushArray(Buffer.from(trx, 'hex'));
  else if (kind === 1) out.pushArray(packedDigest(trx));
  else throw new Error(`unknown receipt transaction kind ${String(kind)}`);
  return sha256(out.asUint8Array());
}
