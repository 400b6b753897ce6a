import { getBytes, type LogDescription } from 'ethers';
import { checkEventsRequest, isAfter, type ChainEvent, type EventsRequest } from '@bsn/contract';
import { num, type RawLog } from '../chain.js';
import { toBsnError } from '../errors.js';
import type { AdapterParts } from '../parts.js';
import { namedJson } from './abi-values.js';
import { CUSTOM_TOPICS } from './contracts.js';
import type { CustomApps, CustomAppState, PublishedVersion } from './custom-apps.js';

const encoder = new TextEncoder();

/**
 * The versions to decode a log with, the one that wrote it first: the version published in the
 * log's own transaction (an upgrade's migration logs before ContractPublished), else the last
 * published before the log; then the others, newest first, so that no event any version
 * declares is dropped.
 */
function versionsFor(versions: PublishedVersion[], log: RawLog, block: number, index: number): PublishedVersion[] {
  const own =
    versions.find((v) => v.txId === log.transactionHash) ??
    [...versions].reverse().find((v) => v.block < block || (v.block === block && v.logIndex < index)) ??
    versions[0];
  return own ? [own, ...[...versions].reverse().filter((v) => v !== own)] : [];
}

/**
 * A ChainEvent from a log of the app's proxy, decoded by the ABI of the version that wrote it:
 * its name is the ABI event's, its payload the UTF-8 JSON of its arguments by name (integers as
 * decimal strings). The proxy's RequestExecuted and logs no ABI names are not app events.
 */
export function customEventFromLog(log: RawLog, appId: string, versions: PublishedVersion[]): ChainEvent | undefined {
  if (log.topics[0] === CUSTOM_TOPICS.requestExecuted) return undefined;
  const block = num(log.blockNumber);
  const index = num(log.logIndex);
  let parsed: LogDescription | null = null;
  for (const v of versionsFor(versions, log, block, index)) if ((parsed = v.abi.parseLog({ topics: log.topics, data: log.data }))) break;
  if (!parsed) return undefined;
  return {
    app: appId,
    name: parsed.name,
    payload: getBytes(encoder.encode(JSON.stringify(namedJson(parsed.fragment.inputs, parsed.args)))),
    txId: log.transactionHash,
    checkpoint: { block, index },
  };
}

export interface CustomEventDeps extends Pick<AdapterParts, 'chain' | 'finality'> {
  customApps: CustomApps;
  pollingIntervalMs: number;
  logRangeBlocks: number;
}

/**
 * The app's events from final blocks only, in (block, log index) order, resumable after any
 * checkpoint it yielded (its block is read again and indexes up to it dropped): the preset
 * stream's rules, over every log of the app's proxy.
 */
export async function* customEventStream(deps: CustomEventDeps, app: CustomAppState, request: EventsRequest): AsyncGenerator<ChainEvent> {
  const { after, name, signal } = checkEventsRequest(request);
  let next = after ? Math.max(after.block, app.createdBlock) : app.createdBlock;
  while (!signal?.aborted) {
    let final: number;
    try {
      final = await deps.finality.finalHead();
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what: 'reading the chain head for events' });
    }
    if (next > final) {
      try {
        await deps.finality.sleep(deps.pollingIntervalMs, signal);
      } catch {
        return;
      }
      continue;
    }
    const to = Math.min(final, next + deps.logRangeBlocks - 1);
    let logs: RawLog[];
    try {
      logs = await deps.chain.logs({ address: app.address, topics: [], fromBlock: next, toBlock: to });
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what: `reading events of ${app.appId}` });
    }
    // Versions published up to this range, read now (an upgrade in it governs the logs after it):
    // a version missed here would leave its new events undecoded, and so skipped.
    const versions =
      logs.length === 0 ? [] : ((await deps.customApps.current(app.appId, 0))?.versions ?? (await deps.customApps.versions(app)));
    for (const log of logs) {
      const event = customEventFromLog(log, app.appId, versions);
      if (!event || !isAfter(event.checkpoint, after) || (name !== undefined && event.name !== name)) continue;
      if (signal?.aborted) return;
      yield event;
    }
    next = to + 1;
  }
}
