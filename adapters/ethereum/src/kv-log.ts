import { getBytes, keccak256, toUtf8Bytes } from 'ethers';
import { UnavailableError } from '@bsn/contract';
import { TOPICS, appInterface } from './abi.js';
import type { ChainReader, RawLog } from './chain.js';
import { FRAMEWORK } from './describe.js';
import { toBsnError } from './errors.js';
import type { AppLocation } from './registry-contract.js';

/** One preset write as its KvWritten log records it. */
export interface KvWriteLog {
  log: RawLog;
  keyHash: string;
  key: string;
  /** null for a delete. */
  value: Uint8Array | null;
  /** Block of the key's previous write (0: none). */
  previousBlock: number;
}

export const keyHashOf = (key: string): string => keccak256(toUtf8Bytes(key));

export function parseKvLog(log: RawLog): KvWriteLog {
  const parsed = appInterface.parseLog({ topics: log.topics, data: log.data });
  if (!parsed || parsed.name !== 'KvWritten') throw new Error(`log ${log.transactionHash}#${log.logIndex} is not a KvWritten log`);
  return {
    log,
    keyHash: log.topics[1]!,
    key: String(parsed.args.key),
    value: parsed.args.deleted ? null : getBytes(parsed.args.value as string),
    previousBlock: Number(parsed.args.previousBlock),
  };
}

/** The KvWritten logs of the given keys (by hash) in one block, in log order. */
export async function kvWritesIn(chain: ChainReader, app: AppLocation, keyHashes: string | string[], block: number): Promise<KvWriteLog[]> {
  let logs: RawLog[];
  try {
    logs = await chain.logs({ address: app.address, topics: [TOPICS.kvWritten, keyHashes], fromBlock: block, toBlock: block });
  } catch (error) {
    throw toBsnError(error, { stage: 'query', what: `reading writes of ${app.appId} in block ${block}` });
  }
  return logs.map(parseKvLog);
}

/**
 * The value a key's last write stored: the last KvWritten log of the key in `block`, checked
 * against the hash the contract keeps. A node serving a log that does not match the state
 * (pruned logs, a broken index) is reported as UnavailableError rather than believed.
 */
export async function liveValue(
  chain: ChainReader,
  app: AppLocation,
  key: string,
  block: number,
  valueHash: string,
): Promise<{ value: Uint8Array; txId: string }> {
  const last = (await kvWritesIn(chain, app, keyHashOf(key), block)).at(-1);
  if (!last || last.value === null || keccak256(last.value) !== valueHash) {
    throw new UnavailableError(
      `the node has no log matching the stored value of ${JSON.stringify(key)} in block ${block} (are its logs pruned?)`,
      {
        stage: 'query',
        detail: { framework: FRAMEWORK, data: { app: app.address, block, valueHash } },
      },
    );
  }
  return { value: last.value, txId: last.log.transactionHash };
}
