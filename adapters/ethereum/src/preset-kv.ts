import { keccak256 } from 'ethers';
import {
  encodeKeyCursor,
  mapInBatches,
  UnavailableError,
  whatOf,
  type AppRef,
  type KvEntry,
  type KvHistoryEntry,
  type KvPage,
  type KvWrite,
  type PresetKv,
  type Receipt,
  type Signer,
} from '@bsn/contract';
import { appInterface } from './abi.js';
import type { BlockTag } from './chain.js';
import { FRAMEWORK } from './describe.js';
import { toBsnError } from './errors.js';
import type { EthereumGateway } from './gateway.js';
import { keyHashOf, kvWritesIn, liveValue } from './kv-log.js';
import type { AdapterParts } from './parts.js';
import type { AppLocation } from './registry-contract.js';
import { checkKvListRequest, checkKvRead, checkKvWrite, checkValue } from './validation.js';

/** Keys fetched per eth_call when listing. */
const KEY_SLICE = 500;
/** Parallel eth_getLogs when resolving the writing transactions of a page. */
const LOG_QUERIES_IN_PARALLEL = 8;

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

export interface PresetKvDeps extends Pick<AdapterParts, 'chain' | 'finality' | 'registry'> {
  gateway: EthereumGateway;
}

/**
 * The preset key/value contract (@bsn/contract, contract/preset-kv.ts) on BsnKvApp.
 *
 * Reads observe the newest final block, so whatever a returned receipt wrote is visible and
 * nothing unconfirmed is. Values are read from the KvWritten log of the key's last write
 * (the contract keeps only their hash, see BsnKvApp.sol) and checked against that hash.
 * `history` follows the per-key chain of KvWritten logs backwards
 * (each log names the block of the key's previous write), one eth_getLogs per block that
 * wrote the key. `list` reads the app's unsorted key index (O(1) gas per write: push on
 * create, swap-and-pop on delete), filters by prefix and sorts byte-wise here — a sorted
 * on-chain structure would cost O(log n) storage writes per put, paid by every writer,
 * to speed up a read that is free (eth_call) anyway.
 */
export class EthereumPresetKv implements PresetKv {
  constructor(private readonly d: PresetKvDeps) {}

  put(request: KvWrite & { value: Uint8Array }, signer: Signer): Promise<Receipt> {
    return Promise.resolve().then(() => {
      const { appId, requestId, key } = checkKvWrite(request);
      const value = checkValue(request.value);
      return this.d.gateway.submitPlan({ appId, requestId, method: 'put', key, value }, signer);
    });
  }

  delete(request: KvWrite, signer: Signer): Promise<Receipt> {
    return Promise.resolve().then(() => {
      const { appId, requestId, key } = checkKvWrite(request);
      return this.d.gateway.submitPlan({ appId, requestId, method: 'delete', key }, signer);
    });
  }

  private async view<T>(app: AppLocation, fn: string, args: unknown[], block: BlockTag): Promise<T> {
    try {
      const out = await this.d.chain.call({ to: app.address, data: appInterface.encodeFunctionData(fn, args) }, block);
      return appInterface.decodeFunctionResult(fn, out) as unknown as T;
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what: whatOf({ method: fn, appId: app.appId }) });
    }
  }

  async get(appRef: AppRef, key: string): Promise<KvEntry | null> {
    const { appId } = checkKvRead(appRef, key);
    const app = await this.d.registry.resolve(appId);
    const final = await this.d.finality.finalTag();
    const [live, valueHash, lastBlock] = await this.view<[boolean, string, bigint]>(app, 'entry', [key], final);
    if (!live) return null;
    const { value, txId } = await liveValue(this.d.chain, app, key, Number(lastBlock), valueHash);
    return { key, value, txId, block: Number(lastBlock) };
  }

  async history(appRef: AppRef, key: string): Promise<KvHistoryEntry[]> {
    const { appId } = checkKvRead(appRef, key);
    const app = await this.d.registry.resolve(appId);
    const final = await this.d.finality.finalTag();
    const keyHash = keyHashOf(key);
    const [lastBlock] = await this.view<[bigint]>(app, 'lastWriteBlock', [keyHash], final);
    const newestFirst: KvHistoryEntry[] = [];
    let block = Number(lastBlock);
    while (block > 0) {
      const writes = await kvWritesIn(this.d.chain, app, keyHash, block);
      if (writes.length === 0) break;
      const timestamp = await this.d.chain.timestampMs(block, writes[0]!.log.blockHash);
      for (const w of [...writes].reverse()) newestFirst.push({ txId: w.log.transactionHash, block, timestamp, value: w.value });
      const previous = writes[0]!.previousBlock;
      if (previous >= block) break;
      block = previous;
    }
    return newestFirst.reverse();
  }

  async list(appRef: AppRef, prefix: string, page?: { limit?: number; cursor?: string }): Promise<KvPage> {
    const { appId, limit, after } = checkKvListRequest(appRef, prefix, page);
    const app = await this.d.registry.resolve(appId);
    const final = await this.d.finality.finalHead();

    const [count] = await this.view<[bigint]>(app, 'keyCount', [], final);
    const slices: number[] = [];
    for (let start = 0; start < Number(count); start += KEY_SLICE) slices.push(start);
    const keys = (await mapInBatches(slices, 4, (start) => this.view<[string[]]>(app, 'keysSlice', [start, KEY_SLICE], final))).flatMap(
      ([slice]) => [...slice],
    );

    const prefixBytes = utf8(prefix);
    const afterBytes = after === undefined ? undefined : utf8(after);
    const matching = keys
      .map((key) => ({ key, bytes: utf8(key) }))
      .filter((k) => k.bytes.subarray(0, prefixBytes.length).equals(prefixBytes))
      .filter((k) => !afterBytes || Buffer.compare(k.bytes, afterBytes) > 0)
      .sort((a, b) => Buffer.compare(a.bytes, b.bytes));
    const pageKeys = matching.slice(0, limit).map((k) => k.key);
    if (pageKeys.length === 0) return { entries: [] };

    // Values sit in the KvWritten logs of each key's last write: one eth_getLogs per distinct block.
    const [, valueHashes, lastBlocks] = await this.view<[boolean[], string[], bigint[]]>(app, 'entriesOf', [pageKeys], final);
    const byBlock = new Map<number, string[]>();
    pageKeys.forEach((key, i) => {
      const b = Number(lastBlocks[i]);
      byBlock.set(b, [...(byBlock.get(b) ?? []), keyHashOf(key)]);
    });
    const lastWrite = new Map<string, { value: Uint8Array | null; txId: string }>();
    await mapInBatches([...byBlock.entries()], LOG_QUERIES_IN_PARALLEL, async ([block, hashes]) => {
      for (const w of await kvWritesIn(this.d.chain, app, hashes, block)) {
        lastWrite.set(`${block}:${w.keyHash}`, { value: w.value, txId: w.log.transactionHash });
      }
    });
    const entries: KvEntry[] = pageKeys.map((key, i) => {
      const block = Number(lastBlocks[i]);
      const w = lastWrite.get(`${block}:${keyHashOf(key)}`);
      if (!w || w.value === null || keccak256(w.value) !== valueHashes[i]) {
        throw new UnavailableError(`the node has no log matching the stored value of ${JSON.stringify(key)} in block ${block}`, {
          stage: 'query',
          detail: { framework: FRAMEWORK, data: { app: app.address, block } },
        });
      }
      return { key, value: w.value, block, txId: w.txId };
    });
    return matching.length > limit ? { entries, cursor: encodeKeyCursor(pageKeys.at(-1)!) } : { entries };
  }
}
