import type { Packet } from '@bsn/contract';
import type { EthHeader } from './header.js';

/**
 * `Evidence.proof` for framework `ethereum` (all byte strings 0x-prefixed hex):
 *
 * - `header`: the block header's fields by name (see `HEADER_FIELDS`); the verifier
 *   rebuilds RLP(header) and its keccak256 is the block hash the attestations must cover;
 * - `txIndex`: the transaction's position in the block, the key RLP(txIndex) in both tries;
 * - `transaction` + `transactionProof`: the raw (EIP-2718) transaction, whose keccak256 is
 *   `Evidence.txId`, and its Merkle-Patricia proof against `header.transactionsRoot`;
 * - `receipt` + `receiptProof`: the receipt in consensus encoding and its proof against
 *   `header.receiptsRoot`;
 * - `logIndex`: position of the PacketSent log among that receipt's logs (not block-wide);
 * - `packet`: the packet the log commits to; the verifier trusts it only after rebuilding
 *   its id, commitment and the outbox's field binding from it.
 *
 * Attestations are not part of the proof: city nodes add them as `Evidence.attestations`.
 */
export interface EthereumProof {
  header: EthHeader;
  txIndex: number;
  transaction: string;
  transactionProof: string[];
  receipt: string;
  receiptProof: string[];
  logIndex: number;
  packet: Packet;
}

/** Largest proof node count accepted (a trie of 2^64 items is 16 deep; nodes may be inlined). */
export const MAX_PROOF_NODES = 64;
