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
  // Stryker disable MethodExpression,ConditionalExpression: a preset write logs only from the app's own address (its proxy); the filter guards receipts of contracts that call others
  return (
    logs
      .filter((l) => l.address.toLowerCase() === address)
      // Stryker restore MethodExpression,ConditionalExpression
      .map((l) => appEventFromLog(l, app.appId))
      .filter((e): e is ChainEvent => e !== undefined)
  );
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
  // Stryker disable next-line MethodExpression: starting lower only re-reads blocks whose events isAfter() then drops
  let next = after ? Math.max(after.block, app.createdBlock) : app.createdBlock;

  while (!signal?.aborted) {
    let final: number;
    try {
      final = await deps.finality.finalHead();
    } catch (error) {
      // Stryker disable next-line StringLiteral: the wording of a node failure's message; no case makes the node fail mid-stream
      throw toBsnError(error, { stage: 'query', what: 'reading the chain head for events' });
    }
    if (next > final) {
      // Stryker disable BlockStatement: sleep() throws only on abort, and the loop's condition ends the stream then too
      try {
        await deps.finality.sleep(deps.pollingIntervalMs, signal);
      } catch {
        return;
      }
      // Stryker restore BlockStatement
      continue;
    }
    // Stryker disable next-line ArithmeticOperator,MethodExpression: the range size only bounds each eth_getLogs; the final head still caps it
    const to = Math.min(final, next + deps.logRangeBlocks - 1);
    let logs: RawLog[];
    try {
      logs = await deps.chain.logs({ address: app.address, topics, fromBlock: next, toBlock: to });
    } catch (error) {
      // Stryker disable next-line StringLiteral: the wording of a node failure's message; no case makes the node fail mid-stream
      throw toBsnError(error, { stage: 'query', what: `reading events of ${appId}` });
    }
    for (const log of logs) {
      const event = appEventFromLog(log, appId);
      if (!event || !isAfter(event.checkpoint, after)) continue;
      // Stryker disable next-line ConditionalExpression: a consumer that aborted stops pulling, so the event yielded after the abort is never read
      if (signal?.aborted) return;
      yield event;
    }
    next = to + 1;
  }
}
