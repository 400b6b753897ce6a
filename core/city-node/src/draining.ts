/**
 * A node instance leaving the fleet: once it starts draining, `/readyz` fails (a balancer stops
 * sending it work), open event streams end with a signed `UNAVAILABLE` `node-stopping` telling
 * the client to resume from its checkpoint on any instance, and requests in flight finish.
 */
import { ApiError } from './errors.js';

export class Drain {
  private readonly controller = new AbortController();

  get draining(): boolean {
    return this.controller.signal.aborted;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  start(): void {
    this.controller.abort();
  }
}

export function nodeStopping(): ApiError {
  return new ApiError(
    'UNAVAILABLE',
    'node-stopping',
    'this node instance is stopping: resume the stream from your last event id, on any instance',
  );
}

/**
 * `source` until it ends; it returns quietly once `client` aborts (the client went away) and
 * throws `node-stopping` once `drain` aborts — at once, even while the source waits for its next
 * event (an adapter's iterator may not answer an abort until the chain moves).
 */
export async function* untilStopped<T>(source: AsyncIterable<T>, drain: AbortSignal, client: AbortSignal): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  let onDrain!: () => void;
  let onClient!: () => void;
  const stopped = new Promise<'drain' | 'client'>((resolve) => {
    onDrain = () => resolve('drain');
    onClient = () => resolve('client');
  });
  drain.addEventListener('abort', onDrain, { once: true });
  client.addEventListener('abort', onClient, { once: true });
  if (drain.aborted) onDrain();
  if (client.aborted) onClient();
  try {
    for (;;) {
      const next = await Promise.race([it.next(), stopped]);
      if (next === 'client') return;
      if (next === 'drain') throw nodeStopping();
      if (next.done) return;
      yield next.value;
    }
  } finally {
    drain.removeEventListener('abort', onDrain);
    client.removeEventListener('abort', onClient);
    // Not awaited: a source blocked on the chain must not hold the stream open.
    void Promise.resolve(it.return?.()).catch(() => {});
  }
}
