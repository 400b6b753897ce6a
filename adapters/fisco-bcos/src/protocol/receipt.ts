import { be32, be64, concat, utf8Bytes } from './big-endian.js';
import type { CryptoSuite } from './crypto-suite.js';

/** A log as a receipt holds it; the address is lowercase hex without 0x, as the node stores it. */
export interface ReceiptLog {
  address: string;
  topics: Uint8Array[];
  data: Uint8Array;
}

/** The fields of `TransactionReceiptData` its hash covers (bcos-tars-protocol tars/TransactionReceipt.tars). */
export interface ReceiptFields {
  version: number;
  /** Decimal. */
  gasUsed: string;
  /** Lowercase hex without 0x; empty unless the transaction deployed a contract. */
  contractAddress: string;
  status: number;
  output: Uint8Array;
  /** Version 1 and up. */
  effectiveGasPrice?: string;
  logEntries: ReceiptLog[];
  blockNumber: number;
}

/**
 * BE32(version) ‖ gasUsed ‖ contractAddress ‖ BE32(status) ‖ output ‖ [effectiveGasPrice,
 * v ≥ 1] ‖ for each log: address ‖ topics… ‖ data ‖ BE64(blockNumber) — the chain's hash of
 * that (impl/TarsHashable.h). A light client recomputes it from a receipt's JSON.
 */
export function receiptHash(suite: CryptoSuite, r: ReceiptFields): Uint8Array {
  const parts = [be32(r.version), utf8Bytes(r.gasUsed), utf8Bytes(r.contractAddress), be32(r.status), r.output];
  if (r.version >= 1) parts.push(utf8Bytes(r.effectiveGasPrice ?? ''));
  for (const log of r.logEntries) parts.push(utf8Bytes(log.address), ...log.topics, log.data);
  parts.push(be64(r.blockNumber));
  return suite.hash(concat(parts));
}
