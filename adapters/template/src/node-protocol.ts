/**
 * The memory node's protocol as both sides see it: what an account signs, what the node
 * answers. A real framework's SDK or RPC types take this file's place.
 */
import { createHash } from 'node:crypto';
import { canonicalJson, fromHex, type KeyAlgorithm } from '@bsn/contract';

export interface App {
  appId: string;
  name: string;
  mode: 'private' | 'consortium';
  admin: string;
  members: string[];
  frozen: boolean;
  version: number;
  createdTx: string;
}

export type Operation =
  | { op: 'createApp'; name: string; mode: App['mode']; members: string[] }
  | { op: 'addMember' | 'removeMember'; member: string }
  | { op: 'freeze' | 'unfreeze' | 'upgrade' }
  | { op: 'put'; key: string; value: string }
  | { op: 'delete'; key: string };

/** What an account signs: the operation on one app of one chain. */
export type TxBody = Operation & { v: 1; chain: string; app: string; requestId: string };

export interface SignedTx {
  body: TxBody;
  algorithm: KeyAlgorithm;
  /** hex, uncompressed */
  publicKey: string;
  /** hex r‖s */
  signature: string;
}

export interface LedgerEvent {
  app: string;
  name: string;
  /** base64 */
  payload: string;
  txId: string;
  block: number;
  index: number;
}

export interface LedgerTx {
  txId: string;
  from: string;
  body: TxBody;
  block: number;
  events: LedgerEvent[];
}

export interface Block {
  number: number;
  hash: string;
  parentHash: string;
  timestamp: number;
  txIds: string[];
}

export interface HistoryEntry {
  txId: string;
  block: number;
  timestamp: number;
  /** base64, or null for a delete */
  value: string | null;
}

export const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** The digest an account signs for `body`: SHA-256 of its canonical JSON. */
export const txDigest = (body: TxBody): string => sha256(canonicalJson(body));

/** An account is named by its key: `<algorithm>:<first 20 bytes of SHA-256(public key)>`. */
export const accountOf = (algorithm: KeyAlgorithm, publicKey: string): string => `${algorithm}:${sha256(fromHex(publicKey)).slice(0, 40)}`;

/** What the node says of itself. */
export interface NodeInfo {
  version: string;
  /** The chain's name: every transaction names it, so one signed for another chain is refused. */
  chain: string;
}

/** A sealed transaction with its block, as `submit` and `tx` answer. */
export interface Sealed {
  tx: LedgerTx;
  block: Block;
}
