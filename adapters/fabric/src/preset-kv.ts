import {
  InvalidInputError,
  type AppRef, type KvEntry, type KvHistoryEntry, type KvPage, type KvWrite, type PresetKv, type Receipt, type Signer,
} from '@bsn/core';
import type { PresetChaincode } from './chaincode-client.js';
import type { FabricGatewayImpl } from './gateway.js';
import type { Ledger } from './ledger.js';
import { checkAppRef, checkKey, checkLimit, checkPrefix, checkRequestId, checkValue } from './validation.js';

const CURSOR = /^k1\.([A-Za-z0-9_-]+)$/;
/** Block look-ups in flight at once when resolving the blocks of a page or a history. */
const PARALLEL_LOOKUPS = 8;

export function encodeCursor(lastKey: string): string {
  return `k1.${Buffer.from(lastKey, 'utf8').toString('base64url')}`;
}

/** The key a cursor resumes after; InvalidInputError for anything this adapter did not produce for `prefix`. */
export function decodeCursor(cursor: unknown, prefix: string): string {
  const m = typeof cursor === 'string' ? CURSOR.exec(cursor) : null;
  let key: string | undefined;
  if (m) {
    try {
      key = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(m[1]!, 'base64url'));
    } catch {
      key = undefined;
    }
  }
  if (key === undefined || key.length === 0 || key.includes('\u0000') || !key.startsWith(prefix) || encodeCursor(key) !== cursor) {
    throw new InvalidInputError('the cursor is not one this list returned', { field: '/cursor' });
  }
  return key;
}

async function mapLimited<T, R>(items: T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

const fromBase64 = (b64: string): Uint8Array => Uint8Array.from(Buffer.from(b64, 'base64'));

export interface PresetKvDeps {
  gateway: FabricGatewayImpl;
  chaincode: PresetChaincode;
  ledger: Ledger;
}

/**
 * The preset key/value contract (core/src/contract/preset-kv.ts) on the preset chaincode.
 * Reads are evaluated on the gateway peer, which answers from its committed world state:
 * whatever a returned receipt wrote is visible. `history` is Fabric's own GetHistoryForKey;
 * `list` is a GetStateByRange over the app's namespace, which is byte-ordered. Each entry's
 * block is the block of the transaction that wrote it (qscc, cached).
 */
export class FabricPresetKv implements PresetKv {
  constructor(private readonly d: PresetKvDeps) {}

  private static write(request: KvWrite): { appId: string; requestId: string; key: string } {
    if (typeof request !== 'object' || request === null) throw new InvalidInputError('a write request is an object', { field: '' });
    return { appId: checkAppRef(request.app), requestId: checkRequestId(request.requestId), key: checkKey(request.key) };
  }

  async put(request: KvWrite & { value: Uint8Array }, signer: Signer): Promise<Receipt> {
    const { appId, requestId, key } = FabricPresetKv.write(request);
    const value = checkValue(request.value);
    return this.d.gateway.submitPlan({ appId, requestId, method: 'put', key, value }, signer);
  }

  async delete(request: KvWrite, signer: Signer): Promise<Receipt> {
    const { appId, requestId, key } = FabricPresetKv.write(request);
    return this.d.gateway.submitPlan({ appId, requestId, method: 'delete', key }, signer);
  }

  private async blockOf(txId: string): Promise<number> {
    return (await this.d.ledger.blockOf(txId)).number;
  }

  async get(app: AppRef, key: string): Promise<KvEntry | null> {
    const appId = checkAppRef(app);
    checkKey(key);
    const entry = await this.d.chaincode.entry(appId, key);
    if (!entry) return null;
    return { key, value: fromBase64(entry.value), txId: entry.txId, block: await this.blockOf(entry.txId) };
  }

  async history(app: AppRef, key: string): Promise<KvHistoryEntry[]> {
    const appId = checkAppRef(app);
    checkKey(key);
    const records = await this.d.chaincode.history(appId, key);
    return mapLimited(records, PARALLEL_LOOKUPS, async (r) => ({
      txId: r.txId,
      block: await this.blockOf(r.txId),
      timestamp: r.timestamp,
      value: r.value === null ? null : fromBase64(r.value),
    }));
  }

  async list(app: AppRef, prefix: string, page: { limit?: number; cursor?: string } = {}): Promise<KvPage> {
    const appId = checkAppRef(app);
    checkPrefix(prefix);
    if (typeof page !== 'object' || page === null) throw new InvalidInputError('a page is { limit?, cursor? }', { field: '/page' });
    const limit = checkLimit(page.limit);
    const after = page.cursor === undefined ? '' : decodeCursor(page.cursor, prefix);
    const { entries, more } = await this.d.chaincode.list(appId, prefix, after, limit);
    const out = await mapLimited(entries, PARALLEL_LOOKUPS, async (e): Promise<KvEntry> => ({
      key: e.key, value: fromBase64(e.value), txId: e.txId, block: await this.blockOf(e.txId),
    }));
    return more && out.length > 0 ? { entries: out, cursor: encodeCursor(out.at(-1)!.key) } : { entries: out };
  }
}
