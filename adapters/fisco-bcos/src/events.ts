import { checkEventsRequest, isAfter, type ChainEvent, type EventsRequest } from '@bsn/contract';
import { appEventOf } from './app-events.js';
import type { ChainContext } from './chain-context.js';
import { toBsnError } from './errors.js';
import { hexToBytes } from './node/chain-reader.js';
import { utf8Bytes } from './protocol/big-endian.js';

/**
 * An app's events from its `AppEvent` logs (getLogs on the app's address, optionally on the
 * indexed name hash), in (block, transaction, log) order, strictly after the checkpoint. Every
 * committed FISCO block is final, so the stream reads up to the head and then polls for new
 * blocks every `pollingIntervalMs` until the signal aborts.
 */
export async function* appEvents(c: ChainContext, request: EventsRequest): AsyncGenerator<ChainEvent> {
  const plan = checkEventsRequest(request);
  const app = await c.apps.get(plan.appId);
  const topics: Array<string | null> = ['0x' + c.calls.app.eventTopic('AppEvent')];
  if (plan.name !== undefined) topics.push('0x' + Buffer.from(c.suite.hash(utf8Bytes(plan.name))).toString('hex'));
  let from = Math.max(plan.after?.block ?? app.createdBlock, app.createdBlock);
  let seen = plan.after;
  while (!plan.signal?.aborted) {
    let head: number;
    try {
      head = await c.chain.blockNumber();
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what: `events of ${plan.appId}` });
    }
    while (from <= head) {
      const to = Math.min(head, from + c.config.logRangeBlocks - 1);
      let logs;
      try {
        logs = await c.chain.logs({ fromBlock: from, toBlock: to, address: app.address, topics });
      } catch (error) {
        throw toBsnError(error, { stage: 'query', what: `events of ${plan.appId}` });
      }
      for (const log of logs) {
        const event = appEventOf(
          c.calls.app,
          { address: log.address.replace(/^0x/, ''), topics: log.topics.map(hexToBytes), data: hexToBytes(log.data) },
          {
            ...app,
            txId: log.transactionHash,
            block: Number(log.blockNumber),
            txIndex: Number(log.transactionIndex),
            logIndex: Number(log.logIndex),
          },
        );
        if (!event || !isAfter(event.checkpoint, seen)) continue;
        if (plan.signal?.aborted) return;
        yield event;
        seen = event.checkpoint;
      }
      from = to + 1;
    }
    await sleep(c.config.pollingIntervalMs, plan.signal);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
