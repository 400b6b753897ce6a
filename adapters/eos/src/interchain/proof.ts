import type { BlockHeader } from '../antelope/index.js';
import type { RawReceipt } from '../node-api.js';
import type { IncrementalMerkleState } from './merkle.js';

/** A block header as stored, with its producer's signature. */
export type SignedHeader = BlockHeader & { producer_signature: string };

/**
 * `Evidence.proof` of EOS: the emit action's transaction receipt in a block signed by a
 * pinned producer, and blocks built on it signed by a quorum of the pinned schedule.
 */
export interface EosProof {
  /** The block holding the transaction (its id is `Evidence.blockHash`). */
  header: SignedHeader;
  /** The block-root merkle the block was signed over (ids of every earlier block). */
  blockRoot: IncrementalMerkleState;
  /** The pending schedule hash the producers signed with. */
  scheduleHash: string;
  /** The next blocks, each built on the one before, until ⌊2n/3⌋+1 scheduled producers signed one. */
  descendants: SignedHeader[];
  /** Every transaction receipt of the block, in order: they rebuild `transaction_mroot`. */
  receipts: RawReceipt[];
  /** Which receipt is the packet's transaction, and which of its actions is the `emit`. */
  txIndex: number;
  actionIndex: number;
}

/** Bounds a verifier accepts, so hostile evidence cannot make it work without end. */
export const MAX_DESCENDANTS = 64;
export const MAX_RECEIPTS = 10_000;
