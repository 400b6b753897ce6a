import {
  encodeKeyCursor,
  mapInBatches,
  type AppRef,
  type KvEntry,
  type KvHistoryEntry,
  type KvPage,
  type KvWrite,
  type PresetKv,
  type Receipt,
  type Signer,
} from '@bsn/contract';
import type { PresetChaincode } from './chaincode-client.js';
import type { FabricGateway } from './gateway.js';
import type { Ledger } from './ledger.js';
import { checkKvListRequest, checkKvRead, checkKvWrite, checkValue } from './validation.js';

/** Block look-ups in flight at once when resolving the blocks of a page or a history. */
const PARALLEL_LOOKUPS = 8;

const fromBase64 = (b64: string): Uint8Array => Uint8Array.from(Buffer.from(b64, 'base64'));

export interface PresetKvDeps {
  gateway: FabricGateway;
  chaincode: PresetChaincode;
  ledger: Ledger;
}

/**
 * The preset key/value contract (@bsn/contract, contract/preset-kv.ts) on the preset chaincode.
 * Reads are evaluated on the gateway peer, which answers from its committed world state:
 * whatever a returned receipt wrote is visible. `history` is Fabric's own GetHistoryForKey;
 * `list` is a GetStateByRange over the app's namespace, which is byte-ordered. Each entry's
 * block is the block of the transaction that wrote it (qscc, cached).
 */
export class FabricPresetKv implements PresetKv {
  constructor(private readonly d: PresetKvDeps) {}

  async put(request: KvWrite & { value: Uint8Array }, signer: Signer): Promise<Receipt> {
    const { appId, requestId, key } = checkKvWrite(request);
    const value = checkValue(request.value);
    return this.d.gateway.submitPlan({ appId, requestId, method: 'put', key, value }, signer);
  }

  async delete(request: KvWrite, signer: Signer): Promise<Receipt> {
    const { appId, requestId, key } = checkKvWrite(request);
    return this.d.gateway.submitPlan({ appId, requestId, method: 'delete', key }, signer);
  }

  private async blockOf(txId: string): Promise<number> {
    return (await this.d.ledger.blockOf(txId)).number;
  }

  async get(app: AppRef, key: string): Promise<KvEntry | null> {
    const { appId } = checkKvRead(app, key);
    const entry = await this.d.chaincode.entry(appId, key);
    if (!entry) return null;
    return { key, value: fromBase64(entry.value), txId: entry.txId, block: await this.blockOf(entry.txId) };
  }

  async history(app: AppRef, key: string): Promise<KvHistoryEntry[]> {
    const { appId } = checkKvRead(app, key);
    const records = await this.d.chaincode.history(appId, key);
    return mapInBatches(records, PARALLEL_LOOKUPS, async (r) => ({
      txId: r.txId,
      block: await this.blockOf(r.txId),
      timestamp: r.timestamp,
      value: r.value === null ? null : fromBase64(r.value),
    }));
  }

  async list(app: AppRef, prefix: string, page?: { limit?: number; cursor?: string }): Promise<KvPage> {
    const { appId, limit, after = '' } = checkKvListRequest(app, prefix, page);
    const { entries, more } = await this.d.chaincode.list(appId, prefix, after, limit);
    const out = await mapInBatches(entries, PARALLEL_LOOKUPS, async (e): Promise<KvEntry> => ({
      key: e.key,
      value: fromBase64(e.value),
      txId: e.txId,
      block: await this.blockOf(e.txId),
    }));
    return more && out.length > 0 ? { entries: out, cursor: encodeKeyCursor(out.at(-1)!.key) } : { entries: out };
  }
}
