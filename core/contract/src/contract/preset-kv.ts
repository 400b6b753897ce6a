import type { AppRef } from './lifecycle.js';
import type { Receipt } from './gateway.js';
import type { Signer } from './keys.js';

/**
 * BSN's preset data contract ("预制链码"): the same key/value semantics on every framework.
 *
 * Keys: non-empty UTF-8, at most `limits.maxKeyBytes` bytes, no U+0000 (Fabric reserves
 * it for composite keys), compared byte-wise. Values: 1..`limits.maxValueBytes` bytes; an
 * empty value is refused because Fabric stores an empty write as a delete.
 *
 * The same contract through the generic gateway (so HTTP users need no chain knowledge):
 *   submit  `put`    args [key, value bytes]      submit  `delete` args [key]
 *   evaluate `get`   args [key] → value bytes (NotFoundError when absent)
 * Every write emits one event: name `kv.put` or `kv.delete`, payload the UTF-8 key.
 */
export const PRESET_METHODS = { put: 'put', delete: 'delete', get: 'get' } as const;
export const PRESET_EVENTS = { put: 'kv.put', delete: 'kv.delete' } as const;

export interface KvEntry {
  key: string;
  value: Uint8Array;
  /** Tx that last wrote it. */
  txId: string;
  block: number;
}

export interface KvHistoryEntry {
  txId: string;
  block: number;
  timestamp: number;
  /** `null` when this transaction deleted the key. */
  value: Uint8Array | null;
}

export interface KvPage {
  entries: KvEntry[];
  /** Pass back to get the next page; absent on the last page. */
  cursor?: string;
}

export interface KvWrite {
  app: AppRef;
  key: string;
  requestId: string;
}

export interface PresetKv {
  put(request: KvWrite & { value: Uint8Array }, signer: Signer): Promise<Receipt>;
  /** `null` when the key was never written or is deleted. */
  get(app: AppRef, key: string): Promise<KvEntry | null>;
  /** NotFoundError when the key does not exist. */
  delete(request: KvWrite, signer: Signer): Promise<Receipt>;
  /** Oldest first. Empty for a key never written. */
  history(app: AppRef, key: string): Promise<KvHistoryEntry[]>;
  /** Live keys starting with `prefix` (may be empty: all keys), byte-wise ascending. */
  list(app: AppRef, prefix: string, page?: { limit?: number; cursor?: string }): Promise<KvPage>;
}
