import { decode, encode } from '@ethereumjs/rlp';
import { concat, getBytes, hexlify } from 'ethers';

/**
 * Transaction receipts in their consensus encoding, the values of a block's receipts trie:
 * `RLP([status, cumulativeGasUsed, logsBloom, logs])`, prefixed by the transaction type byte
 * for typed transactions (EIP-2718: 1 access list, 2 dynamic fee, 3 blob, 4 set-code).
 */

export interface ReceiptLog {
  address: string;
  topics: string[];
  data: string;
}

export interface DecodedReceipt {
  type: number;
  /** 1 success, 0 failure (post-Byzantium receipts carry a status, not a state root). */
  status: 0 | 1;
  cumulativeGasUsed: bigint;
  logs: ReceiptLog[];
}

/** The receipt fields of eth_getBlockReceipts / eth_getTransactionReceipt this encoding needs. */
export interface RpcReceipt {
  type?: string;
  status?: string;
  cumulativeGasUsed: string;
  logsBloom: string;
  logs: Array<{ address: string; topics: string[]; data: string }>;
}

function quantityBytes(hex: string): Uint8Array {
  const n = BigInt(hex);
  if (n === 0n) return new Uint8Array(0);
  const h = n.toString(16);
  return getBytes('0x' + (h.length % 2 ? '0' : '') + h);
}

export function encodeReceipt(r: RpcReceipt): Uint8Array {
  if (r.status === undefined) throw new Error('pre-Byzantium receipts (state root, no status) are not supported');
  const type = Number(BigInt(r.type ?? '0x0'));
  if (!Number.isInteger(type) || type < 0 || type > 0x7f) throw new Error(`receipt type ${r.type} is not an EIP-2718 type`);
  const body = encode([
    BigInt(r.status) === 1n ? Uint8Array.of(1) : new Uint8Array(0),
    quantityBytes(r.cumulativeGasUsed),
    getBytes(r.logsBloom),
    r.logs.map((l) => [getBytes(l.address), l.topics.map((t) => getBytes(t)), getBytes(l.data)]),
  ]);
  return type === 0 ? body : getBytes(concat([Uint8Array.of(type), body]));
}

function bytesItem(item: unknown, what: string, size?: number): Uint8Array {
  if (!(item instanceof Uint8Array)) throw new Error(`${what} is a list, not bytes`);
  if (size !== undefined && item.length !== size) throw new Error(`${what} is ${item.length} bytes, not ${size}`);
  return item;
}

function listItem(item: unknown, what: string): unknown[] {
  if (!Array.isArray(item)) throw new Error(`${what} is bytes, not a list`);
  return item;
}

/** Decodes a receipt as found in the receipts trie; throws on anything malformed. */
export function decodeReceipt(bytes: Uint8Array): DecodedReceipt {
  if (bytes.length === 0) throw new Error('empty receipt');
  const first = bytes[0]!;
  let type = 0;
  let body = bytes;
  if (first < 0xc0) {
    if (first === 0 || first > 0x7f) throw new Error(`receipt starts with 0x${first.toString(16)}, neither a list nor a type byte`);
    type = first;
    body = bytes.subarray(1);
  }
  const items = listItem(decode(body), 'the receipt');
  if (items.length !== 4) throw new Error(`the receipt has ${items.length} fields, not 4`);
  const status = bytesItem(items[0], 'status');
  if (status.length > 1 || (status.length === 1 && status[0] !== 1)) {
    throw new Error('the receipt carries a state root or an unknown status, not a post-Byzantium status');
  }
  const gas = bytesItem(items[1], 'cumulativeGasUsed');
  bytesItem(items[2], 'logsBloom', 256);
  const logs = listItem(items[3], 'logs').map((raw, i) => {
    const log = listItem(raw, `log ${i}`);
    if (log.length !== 3) throw new Error(`log ${i} has ${log.length} fields, not 3`);
    return {
      address: hexlify(bytesItem(log[0], `log ${i} address`, 20)),
      topics: listItem(log[1], `log ${i} topics`).map((t, j) => hexlify(bytesItem(t, `log ${i} topic ${j}`, 32))),
      data: hexlify(bytesItem(log[2], `log ${i} data`)),
    };
  });
  return {
    type,
    status: status.length === 1 ? 1 : 0,
    cumulativeGasUsed: gas.length ? BigInt(hexlify(gas)) : 0n,
    logs,
  };
}
