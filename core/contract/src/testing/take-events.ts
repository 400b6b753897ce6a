import type { ChainEvent, EventsRequest, Gateway } from '../contract/index.js';

/**
 * Reads `request`'s stream until `count` events arrived or `timeoutMs` passed, then stops it
 * (a consumer going away). Used by the suite and by adapters' own tests.
 */
export async function takeEvents(
  gateway: Pick<Gateway, 'events'>,
  request: Omit<EventsRequest, 'signal'>,
  count: number,
  timeoutMs = 8_000,
): Promise<ChainEvent[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const got: ChainEvent[] = [];
  try {
    for await (const event of gateway.events({ ...request, signal: controller.signal })) {
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
