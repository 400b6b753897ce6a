/**
 * The preset data contract. Writes go through PresetWrites; reads are table reads: a key's
 * entry is among the rows sharing its 16-byte head, its history among the versions sharing it,
 * and a listing walks the head index, sorting rows that share a head byte-wise.
 */
import {
  encodeKeyCursor,
  type AppRef,
  type KvEntry,
  type KvHistoryEntry,
  type KvPage,
  type KvWrite,
  type PresetKv,
  type Receipt,
  type Signer,
} from '@bsn/contract';
import type { AppRegistry } from './apps.js';
import { headOf, lastHeadOf } from './contract-keys.js';
import type { ContractTables, EntryRow } from './contract-tables.js';
import { toBsnError } from './errors.js';
import type { PresetWrites } from './preset-writes.js';
import { checks } from './validation.js';

const HEAD_MAX = ((1n << 128n) - 1n).toString();

const bytesOf = (hex: string) => new Uint8Array(Buffer.from(hex, 'hex'));
const entryOf = (row: EntryRow): KvEntry => ({ key: row.key, value: bytesOf(row.value), txId: row.txid, block: row.block });
/** Byte-wise order of UTF-8 keys, the order `list` promises. */
export const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
const startsWith = (key: string, prefix: string) =>
  Buffer.from(key, 'utf8').subarray(0, Buffer.byteLength(prefix)).equals(Buffer.from(prefix, 'utf8'));

export class EosPresetKv implements PresetKv {
  constructor(
    private readonly writes: PresetWrites,
    private readonly apps: AppRegistry,
    private readonly tables: ContractTables,
  ) {}

  async put(request: KvWrite & { value: Uint8Array }, signer: Signer): Promise<Receipt> {
    const { appId, requestId, key } = checks.checkKvWrite(request);
    const value = checks.checkValue(request.value);
    return this.writes.write({ appId, requestId, method: 'put', key, value }, signer);
  }

  async delete(request: KvWrite, signer: Signer): Promise<Receipt> {
    const { appId, requestId, key } = checks.checkKvWrite(request);
    return this.writes.write({ appId, requestId, method: 'delete', key }, signer);
  }

  async get(app: AppRef, key: string): Promise<KvEntry | null> {
    const plan = checks.checkKvRead(app, key);
    const at = await this.apps.locate(plan.appId);
    try {
      const row = (await this.tables.entriesOfHead(at, plan.key)).find((r) => r.key === plan.key);
      return row ? entryOf(row) : null;
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what: `get on ${plan.appId}` });
    }
  }

  async history(app: AppRef, key: string): Promise<KvHistoryEntry[]> {
    const plan = checks.checkKvRead(app, key);
    const at = await this.apps.locate(plan.appId);
    try {
      const rows = (await this.tables.versionsOfHead(at, plan.key)).filter((r) => r.key === plan.key);
      // Rows sharing a head come in primary-key order, which is write order.
      return rows.map((r) => ({
        txId: r.txid,
        block: r.block,
        timestamp: Number(r.time),
        value: r.deleted === true || r.deleted === 1 ? null : bytesOf(r.value),
      }));
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what: `history on ${plan.appId}` });
    }
  }

  async list(app: AppRef, prefix: string, page?: { limit?: number; cursor?: string }): Promise<KvPage> {
    const plan = checks.checkKvListRequest(app, prefix, page);
    const at = await this.apps.locate(plan.appId);
    const upper = plan.prefix === '' ? HEAD_MAX : lastHeadOf(plan.prefix);
    const wanted = (key: string) => startsWith(key, plan.prefix) && (plan.after === undefined || byteOrder(key, plan.after) > 0);
    const found = new Map<string, EntryRow>();
    let lower = headOf(plan.after ?? plan.prefix);
    let chunk = plan.limit + 1;
    try {
      for (;;) {
        const rows = await this.tables.entriesBetween(at, lower, upper, chunk);
        const fresh = rows.rows.filter((r) => !found.has(r.id));
        for (const row of fresh) found.set(row.id, row);
        const last = rows.rows[rows.rows.length - 1];
        // Rows of a head below the last row's head are complete (the index orders by head):
        // enough of them, or nothing more to read, ends the walk.
        const complete = [...found.values()].filter((r) => wanted(r.key) && (!rows.more || BigInt(r.head) < BigInt(last?.head ?? '0')));
        if (!rows.more || complete.length > plan.limit) {
          const keys = complete.sort((a, b) => byteOrder(a.key, b.key));
          const entries = keys.slice(0, plan.limit).map(entryOf);
          const more = keys.length > plan.limit;
          return { entries, ...(more && { cursor: encodeKeyCursor(entries[entries.length - 1]!.key) }) };
        }
        if (fresh.length === 0) chunk *= 2;
        lower = rows.next_key ?? lower;
      }
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what: `list on ${plan.appId}` });
    }
  }
}
