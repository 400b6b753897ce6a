import {
  encodeKeyCursor,
  fromBase64,
  inputChecks,
  toBase64,
  type AppRef,
  type KvEntry,
  type KvHistoryEntry,
  type KvPage,
  type KvWrite,
  type PresetKv,
  type Receipt,
  type Signer,
} from '@bsn/contract';
import { LIMITS } from './limits.js';
import type { NodeClient } from './node-client.js';
import type { HistoryEntry } from './node-protocol.js';
import { receiptOf, type Transactions } from './transactions.js';

/** The shared input rules bound to this adapter's limits (the kit's), so it refuses what every adapter refuses. */
const { checkKvWrite, checkValue, checkKvRead, checkKvListRequest } = inputChecks(LIMITS);

/** The preset data contract: the node runs it; this maps the contract's calls onto the node's. */
export class TemplatePresetKv implements PresetKv {
  constructor(
    private readonly node: NodeClient,
    private readonly txs: Transactions,
  ) {}

  async put(request: KvWrite & { value: Uint8Array }, signer: Signer): Promise<Receipt> {
    const { appId, requestId, key } = checkKvWrite(request);
    const value = checkValue(request.value);
    const body = this.txs.body(appId, requestId, { op: 'put', key, value: toBase64(value) });
    return receiptOf(await this.txs.signAndSend(body, signer, `put on ${appId}`), requestId);
  }

  async delete(request: KvWrite, signer: Signer): Promise<Receipt> {
    const { appId, requestId, key } = checkKvWrite(request);
    const body = this.txs.body(appId, requestId, { op: 'delete', key });
    return receiptOf(await this.txs.signAndSend(body, signer, `delete on ${appId}`), requestId);
  }

  async get(app: AppRef, key: string): Promise<KvEntry | null> {
    const history = await this.history(app, key);
    const last = history[history.length - 1];
    return last && last.value ? { key, value: last.value, txId: last.txId, block: last.block } : null;
  }

  async history(app: AppRef, key: string): Promise<KvHistoryEntry[]> {
    const { appId } = checkKvRead(app, key);
    const entries = await this.node.call<HistoryEntry[]>('history', { appId, key }, 'query', `history on ${appId}`);
    return entries.map((e) => ({
      txId: e.txId,
      block: e.block,
      timestamp: e.timestamp,
      value: e.value === null ? null : fromBase64(e.value),
    }));
  }

  async list(app: AppRef, prefix: string, page?: { limit?: number; cursor?: string }): Promise<KvPage> {
    const { appId, limit, after } = checkKvListRequest(app, prefix, page);
    // One more than asked tells whether another page follows.
    const found = await this.node.call<Array<{ key: string; entry: HistoryEntry }>>(
      'list',
      { appId, prefix, after, limit: limit + 1 },
      'query',
      `list on ${appId}`,
    );
    const entries = found
      .slice(0, limit)
      .map(({ key, entry }) => ({ key, value: fromBase64(entry.value!), txId: entry.txId, block: entry.block }));
    const last = entries[entries.length - 1];
    return { entries, ...(found.length > limit && last && { cursor: encodeKeyCursor(last.key) }) };
  }
}
