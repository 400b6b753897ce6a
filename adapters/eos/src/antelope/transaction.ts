/**
 * Transactions as the chain packs, names and signs them: `packed` is the serialized
 * transaction, its id is SHA-256(packed), and a signature covers
 * SHA-256(chain id ‖ packed ‖ 32 zero bytes) (no context-free data).
 * (@wharfkit/antelope: `Transaction.from(...).id` and `.signingDigest(chainId)`.)
 */
import { createHash } from 'node:crypto';
import { Serialize } from 'eosjs';

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();
const transactionTypes = Serialize.getTypesFromAbi(Serialize.createTransactionTypes());
const transactionType = Serialize.getType(transactionTypes, 'transaction');

export interface Authorization {
  actor: string;
  permission: string;
}

/** An action with its data already serialized. */
export interface PackedAction {
  account: string;
  name: string;
  authorization: Authorization[];
  data: Uint8Array;
}

/** Where a transaction is anchored (TaPoS) and when it expires. */
export interface TransactionHeader {
  /** UTC, whole seconds: `2026-12-06T09:05:31`. */
  expiration: string;
  refBlockNum: number;
  refBlockPrefix: number;
}

export interface TransactionBody {
  header: TransactionHeader;
  actions: PackedAction[];
}

const sha256 = (...parts: Uint8Array[]) => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
};

/** TaPoS of a block: the low 16 bits of its number and bytes 8–11 of its id, little-endian. */
export function taposOf(blockId: string): { refBlockNum: number; refBlockPrefix: number } {
  const id = Buffer.from(blockId, 'hex');
  if (id.length !== 32) throw new Error(`a block id is 32 bytes: ${blockId}`);
  return { refBlockNum: id.readUInt32BE(0) & 0xffff, refBlockPrefix: id.readUInt32LE(8) };
}

/** `time_point_sec` text of a moment (ms since epoch), rounded down to the second. */
export const expirationAt = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19);

export function packTransaction(body: TransactionBody): Uint8Array {
  const buffer = new Serialize.SerialBuffer({ textEncoder, textDecoder });
  transactionType.serialize(buffer, {
    expiration: body.header.expiration,
    ref_block_num: body.header.refBlockNum,
    ref_block_prefix: body.header.refBlockPrefix,
    max_net_usage_words: 0,
    max_cpu_usage_ms: 0,
    delay_sec: 0,
    context_free_actions: [],
    actions: body.actions.map((a) => ({
      account: a.account,
      name: a.name,
      authorization: a.authorization,
      data: Buffer.from(a.data).toString('hex'),
    })),
    transaction_extensions: [],
  });
  return buffer.asUint8Array();
}

/** The transaction a packed one holds (action data left serialized). */
export function unpackTransaction(packed: Uint8Array): TransactionBody & { contextFreeActions: number; extensions: number } {
  const buffer = new Serialize.SerialBuffer({ textEncoder, textDecoder, array: packed });
  const tx = transactionType.deserialize(buffer) as {
    expiration: string;
    ref_block_num: number;
    ref_block_prefix: number;
    context_free_actions: unknown[];
    actions: Array<{ account: string; name: string; authorization: Authorization[]; data: string }>;
    transaction_extensions: unknown[];
  };
  if (buffer.haveReadData()) throw new Error('trailing bytes after the transaction');
  return {
    header: { expiration: tx.expiration.slice(0, 19), refBlockNum: tx.ref_block_num, refBlockPrefix: tx.ref_block_prefix },
    actions: tx.actions.map((a) => ({ ...a, data: Uint8Array.from(Buffer.from(a.data, 'hex')) })),
    contextFreeActions: tx.context_free_actions.length,
    extensions: tx.transaction_extensions.length,
  };
}

/** The transaction id: SHA-256 of the packed transaction, hex. */
export const transactionId = (packed: Uint8Array): string => Buffer.from(sha256(packed)).toString('hex');

/** What each signature of the transaction signs on chain `chainId` (hex). */
export const signingDigest = (chainId: string, packed: Uint8Array): Uint8Array =>
  sha256(Buffer.from(chainId, 'hex'), packed, new Uint8Array(32));
