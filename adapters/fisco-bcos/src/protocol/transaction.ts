/**
 * A FISCO BCOS 3.x transaction (`bcostars::Transaction` / `TransactionData`,
 * bcos-tars-protocol/tars/Transaction.tars). Versions 1 and 2 add fee fields and an
 * extension; this adapter sends version 0, the emulator reads all three.
 */
export interface TransactionData {
  version: number;
  chainId: string;
  groupId: string;
  /** The transaction is valid only while the chain's height is below this (and at most 600 under it). */
  blockLimit: bigint;
  /** Unique per sender window; SDKs send a random big decimal. */
  nonce: string;
  /** Lowercase hex without 0x; empty for a deploy. */
  to: string;
  input: Uint8Array;
  /** The ABI JSON on a deploy (what `getABI` answers later); usually empty for calls. */
  abi: string;
  /** Version 1 and up. */
  value?: string;
  gasPrice?: string;
  gasLimit?: bigint;
  maxFeePerGas?: string;
  maxPriorityFeePerGas?: string;
  /** Version 2 and up. */
  extension?: Uint8Array;
}

export interface Transaction {
  data: TransactionData;
  /** The hash over the data fields (Keccak-256 or SM3), as the sender computed it. */
  dataHash: Uint8Array;
  /** ECDSA `r‖s‖v` (v 0..3) or SM2 `r‖s‖pub64`. */
  signature: Uint8Array;
  importTime: bigint;
  attribute: number;
  extraData: string;
}

/** TARS tags of `TransactionData`. */
export const DATA_TAG = {
  version: 1,
  chainId: 2,
  groupId: 3,
  blockLimit: 4,
  nonce: 5,
  to: 6,
  input: 7,
  abi: 8,
  value: 9,
  gasPrice: 10,
  gasLimit: 11,
  maxFeePerGas: 12,
  maxPriorityFeePerGas: 13,
  extension: 14,
} as const;

/** TARS tags of `Transaction`. Tag 7 (sender) is the node's to fill: it is read and ignored. */
export const TX_TAG = { data: 1, dataHash: 2, signature: 3, importTime: 4, attribute: 5, sender: 7, extraData: 8 } as const;
