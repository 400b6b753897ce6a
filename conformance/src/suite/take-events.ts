import type { AppRef, ChainEvent, Checkpoint } from '@bsn/core';
import type { SuiteContext } from './context.js';

/** Reads events until `count` arrived or `timeoutMs` passed, then stops the stream (a consumer going away). */
export async function takeEvents(ctx: SuiteContext, app: AppRef, count: number, after?: Checkpoint, timeoutMs = 8_000): Promise<ChainEvent[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const got: ChainEvent[] = [];
  try {
    for await (const event of ctx.adapter.gateway.events({ app, after, signal: controller.signal })) {
      got.push(event);
      if (got.length >= count) break;
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return got;
}
