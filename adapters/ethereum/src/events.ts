import { getBytes } from 'ethers';
import { checkEventsRequest, isAfter, type ChainEvent, type EventsRequest } from '@bsn/contract';
import { TOPICS, appInterface, eventNameTopic } from './abi.js';
import { num, type RawLog } from './chain.js';
import { toBsnError } from './errors.js';
import type { AdapterParts } from './parts.js';

/** A ChainEvent from an `AppEvent(nameHash, name, payload)` log; undefined for other logs. */
export function appEventFromLog(log: RawLog, appId: string): ChainEvent | undefined {
  if (log.topics[0] !== TOPICS.appEvent) return undefined;
  const parsed = appInterface.parseLog({ topics: log.topics, data: log.data });
  if (!parsed) return undefined;
  return {
    app: appId,
    name: String(parsed.args.name),
    payload: getBytes(parsed.args.payload as string),
    txId: log.transactionHash,
    checkpoint: { block: num(log.blockNumber), index: num(log.logIndex) },
  };
}

/** The AppEvents of `app` among a receipt's logs, in log order. */
export function appEventsOf(logs: RawLog[], app: { appId: string; address: string }): ChainEvent[] {
  const address = app.address.toLowerCase();
  return logs
    .filter((l) => l.address.toLowerCase() === address)
    .map((l) => appEventFromLog(l, app.appId))
    .filter((e): e is ChainEvent => e !== undefined);
}

export interface EventStreamDeps extends Pick<AdapterParts, 'chain' | 'finality' | 'registry'> {
  pollingIntervalMs: number;
  logRangeBlocks: number;
}

/**
 * The app's AppEvents from final blocks only, in (block, log index) order — the checkpoint
 * is exactly that pair. Resuming after a checkpoint re-reads its block and drops indexes ≤
 * the checkpoint's, so nothing is skipped or repeated. Blocks are read in bounded ranges up
 * to the final head, then new final blocks are polled every `pollingIntervalMs`. The stream
 * ends (returns) when `signal` aborts or the consumer stops iterating.
 */
export async function* eventStream(deps: EventStreamDeps, request: EventsRequest): AsyncGenerator<ChainEvent> {
  const { appId, after, name, signal } = checkEventsRequest(request);
  const app = await deps.registry.resolve(appId);
  const topics = [TOPICS.appEvent, name === undefined ? null : eventNameTopic(name)];
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
      logs = await deps.chain.logs({ address: app.address, topics, fromBlock: next, toBlock: to });
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what: `reading events of ${appId}` });
    }
    for (const log of logs) {
      const event = appEventFromLog(log, appId);
      if (!event || !isAfter(event.checkpoint, after)) continue;
      if (signal?.aborted) return;
      yield event;
    }
    next = to + 1;
  }
}
