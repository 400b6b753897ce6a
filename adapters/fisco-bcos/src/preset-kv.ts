import {
  encodeKeyCursor,
  inputChecks,
  type AppRef,
  type KvEntry,
  type KvHistoryEntry,
  type KvPage,
  type KvWrite,
  type PresetKv,
  type Receipt,
  type Signer,
} from '@bsn/contract';
import { checkSigner } from './accounts.js';
import type { AppLocation } from './app-directory.js';
import type { ChainContext } from './chain-context.js';
import { toBsnError } from './errors.js';
import { LIMITS } from './limits.js';
import { hexToBytes } from './node/chain-reader.js';
import type { FilteredLogJson } from './node/node-json.js';
import { utf8Bytes } from './protocol/big-endian.js';
import type { PresetWrites } from './preset-writes.js';

const { checkKvWrite, checkValue, checkKvRead, checkKvListRequest } = inputChecks(LIMITS);
/** Keys read from the contract's index per call when listing. */
const KEYS_PER_CALL = 500;

const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/**
 * The preset data contract on FISCO BCOS (contracts/BsnKvApp.yul). Values live in the app's
 * storage (`get` is one call); which transaction wrote them, and the history, come from the
 * KvWritten logs: each carries the block of the key's previous write, so history walks back
 * one getLogs per block that wrote the key.
 */
export class FiscoPresetKv implements PresetKv {
  constructor(
    private readonly c: ChainContext,
    private readonly writes: PresetWrites,
  ) {}

  async put(request: KvWrite & { value: Uint8Array }, signer: Signer): Promise<Receipt> {
    const { appId, requestId, key } = checkKvWrite(request);
    const value = checkValue(request.value);
    checkSigner(this.c.suite, signer);
    return this.writes.write({ appId, requestId, method: 'put', key, value }, signer);
  }

  async delete(request: KvWrite, signer: Signer): Promise<Receipt> {
    const { appId, requestId, key } = checkKvWrite(request);
    checkSigner(this.c.suite, signer);
    return this.writes.write({ appId, requestId, method: 'delete', key }, signer);
  }

  async get(app: AppRef, key: string): Promise<KvEntry | null> {
    const { appId } = checkKvRead(app, key);
    const location = await this.c.apps.get(appId);
    const [live, value, lastBlock] = await this.c.calls.view(this.c.calls.app, location.address, 'entry', [key], `get on ${appId}`);
    if (!live) return null;
    const [write] = (await this.writesIn(location, Number(lastBlock), [key])).slice(-1);
    if (!write)
      throw toBsnError(new Error(`no KvWritten log of ${JSON.stringify(key)} in block ${lastBlock}`), {
        stage: 'query',
        what: `get on ${appId}`,
      });
    return { key, value: hexToBytes(String(value)), txId: write.transactionHash, block: Number(lastBlock) };
  }

  async history(app: AppRef, key: string): Promise<KvHistoryEntry[]> {
    const { appId } = checkKvRead(app, key);
    const location = await this.c.apps.get(appId);
    const [, , lastBlock] = await this.c.calls.view(this.c.calls.app, location.address, 'entry', [key], `history on ${appId}`);
    const out: KvHistoryEntry[] = [];
    let block = Number(lastBlock);
    while (block > 0) {
      const logs = await this.writesIn(location, block, [key]);
      if (!logs.length) break;
      const timestamp = await this.timestampOf(block);
      // Several writes in one block: the first points at the key's previous block, the others at this one.
      let previous = block;
      const entries: KvHistoryEntry[] = [];
      for (const log of logs) {
        const [, value, deleted, previousBlock] = this.c.calls.app.decodeLog('KvWritten', logOf(log))!;
        entries.push({ txId: log.transactionHash, block, timestamp, value: deleted ? null : hexToBytes(String(value)) });
        previous = Math.min(previous, Number(previousBlock));
      }
      out.unshift(...entries);
      if (previous >= block) break;
      block = previous;
    }
    return out;
  }

  async list(app: AppRef, prefix: string, page?: { limit?: number; cursor?: string }): Promise<KvPage> {
    const { appId, limit, after } = checkKvListRequest(app, prefix, page);
    const location = await this.c.apps.get(appId);
    const keys = (await this.allKeys(location))
      .filter((k) => k.startsWith(prefix) && (after === undefined || byteOrder(k, after) > 0))
      .sort(byteOrder);
    const chosen = keys.slice(0, limit);
    if (!chosen.length) return { entries: [] };
    const [packed] = await this.c.calls.view(this.c.calls.app, location.address, 'entries', [packKeys(chosen)], `list on ${appId}`);
    const found = unpackEntries(hexToBytes(String(packed)), chosen);
    // The transaction of each key's last write: one getLogs per distinct block.
    const byBlock = new Map<number, string[]>();
    for (const e of found) if (e.live) byBlock.set(e.lastBlock, [...(byBlock.get(e.lastBlock) ?? []), e.key]);
    const txOf = new Map<string, string>();
    for (const [block, blockKeys] of byBlock) {
      for (const log of await this.writesIn(location, block, blockKeys)) {
        const [key] = this.c.calls.app.decodeLog('KvWritten', logOf(log))!;
        txOf.set(String(key), log.transactionHash);
      }
    }
    const entries = found
      .filter((e) => e.live)
      .map((e) => ({ key: e.key, value: e.value, txId: txOf.get(e.key) ?? '', block: e.lastBlock }));
    const last = entries[entries.length - 1];
    return { entries, ...(keys.length > limit && last && { cursor: encodeKeyCursor(last.key) }) };
  }

  /** The KvWritten logs of these keys in one block, in order. */
  private async writesIn(app: AppLocation, block: number, keys: string[]): Promise<FilteredLogJson[]> {
    const keyHashes = keys.map((k) => '0x' + Buffer.from(this.c.suite.hash(utf8Bytes(k))).toString('hex'));
    try {
      return await this.c.chain.logs({
        fromBlock: block,
        toBlock: block,
        address: app.address,
        topics: ['0x' + this.c.calls.app.eventTopic('KvWritten'), keyHashes],
      });
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what: `reading writes of ${app.appId} in block ${block}` });
    }
  }

  private async allKeys(app: AppLocation): Promise<string[]> {
    const [count] = await this.c.calls.view(this.c.calls.app, app.address, 'keyCount', [], `list on ${app.appId}`);
    const keys: string[] = [];
    for (let start = 0; start < Number(count); start += KEYS_PER_CALL) {
      const [packed] = await this.c.calls.view(this.c.calls.app, app.address, 'keysPacked', [start, KEYS_PER_CALL], `list on ${app.appId}`);
      keys.push(...unpackKeys(hexToBytes(String(packed))));
    }
    return keys;
  }

  private readonly timestamps = new Map<number, number>();
  private async timestampOf(block: number): Promise<number> {
    let t = this.timestamps.get(block);
    if (t === undefined) {
      try {
        t = (await this.c.chain.header(block)).timestamp;
      } catch (error) {
        throw toBsnError(error, { stage: 'query', what: `reading block ${block}` });
      }
      this.timestamps.set(block, t);
    }
    return t;
  }
}

const logOf = (log: FilteredLogJson) => ({
  address: log.address.replace(/^0x/, ''),
  topics: log.topics.map(hexToBytes),
  data: hexToBytes(log.data),
});

/** [u16 length ‖ UTF-8 key]…, as the contract's keysPacked and entries speak. */
function packKeys(keys: string[]): Uint8Array {
  const parts = keys.map((k) => Buffer.from(k, 'utf8'));
  const out = Buffer.alloc(parts.reduce((n, p) => n + 2 + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.writeUInt16BE(p.length, at);
    p.copy(out, at + 2);
    at += 2 + p.length;
  }
  return out;
}

function unpackKeys(packed: Uint8Array): string[] {
  const b = Buffer.from(packed);
  const keys: string[] = [];
  for (let at = 0; at < b.length;) {
    const n = b.readUInt16BE(at);
    keys.push(b.subarray(at + 2, at + 2 + n).toString('utf8'));
    at += 2 + n;
  }
  return keys;
}

/** [u8 live ‖ u64 lastBlock ‖ u32 length ‖ value]… in the order of `keys`. */
function unpackEntries(packed: Uint8Array, keys: string[]): Array<{ key: string; live: boolean; lastBlock: number; value: Uint8Array }> {
  const b = Buffer.from(packed);
  const out: Array<{ key: string; live: boolean; lastBlock: number; value: Uint8Array }> = [];
  let at = 0;
  for (const key of keys) {
    const live = b[at] === 1;
    const lastBlock = Number(b.readBigUInt64BE(at + 1));
    const n = b.readUInt32BE(at + 9);
    out.push({ key, live, lastBlock, value: Uint8Array.from(b.subarray(at + 13, at + 13 + n)) });
    at += 13 + n;
  }
  return out;
}
