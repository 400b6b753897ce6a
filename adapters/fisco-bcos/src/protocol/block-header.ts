import { be32, be64, concat } from './big-endian.js';
import type { CryptoSuite } from './crypto-suite.js';

export interface ParentInfo {
  blockNumber: number;
  blockHash: Uint8Array;
}

/** The fields of `BlockHeaderData` (bcos-tars-protocol tars/Block.tars) its hash covers. */
export interface BlockHeaderFields {
  version: number;
  parentInfo: ParentInfo[];
  txsRoot: Uint8Array;
  receiptsRoot: Uint8Array;
  stateRoot: Uint8Array;
  number: number;
  /** Decimal. */
  gasUsed: string;
  /** ms since the epoch. */
  timestamp: number;
  /** Index of the sealer that proposed the block. */
  sealer: number;
  /** The consensus nodes' public keys (64 bytes each), in committee order. */
  sealerList: Uint8Array[];
  extraData: Uint8Array;
  consensusWeights: number[];
}

/** A sealer's signature over the block hash, by its index in `sealerList`. */
export interface SealerSignature {
  sealerIndex: number;
  signature: Uint8Array;
}

/**
 * BE32(version) ‖ for each parent: BE64(number) ‖ hash ‖ txsRoot ‖ receiptsRoot ‖ stateRoot ‖
 * BE64(number) ‖ gasUsed ‖ BE64(timestamp) ‖ BE64(sealer) ‖ sealerList… ‖ extraData ‖
 * BE64(weight)… — hashed with the chain's hash (impl/TarsHashable.h). The signature list is
 * not covered: the sealers sign this hash.
 */
export function blockHash(suite: CryptoSuite, h: BlockHeaderFields): Uint8Array {
  const parts: Uint8Array[] = [be32(h.version)];
  for (const p of h.parentInfo) parts.push(be64(p.blockNumber), p.blockHash);
  parts.push(
    h.txsRoot,
    h.receiptsRoot,
    h.stateRoot,
    be64(h.number),
    new TextEncoder().encode(h.gasUsed),
    be64(h.timestamp),
    be64(h.sealer),
  );
  parts.push(...h.sealerList, h.extraData);
  for (const w of h.consensusWeights) parts.push(be64(w));
  return suite.hash(concat(parts));
}
