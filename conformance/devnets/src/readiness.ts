import type { NodeProcess } from './node-process.js';

export interface WaitOptions {
  /** What we are waiting for, for the error message. */
  what: string;
  timeoutMs: number;
  /** Fails fast if this process dies while we wait. */
  process?: NodeProcess;
  intervalMs?: number;
}

/**
 * Polls `probe` until it returns a value. Boot is waited on by readiness, never by a fixed
 * sleep: the interval only spaces the probes out.
 */
export async function waitFor<T>(probe: () => Promise<T | undefined>, options: WaitOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    if (options.process?.exit) {
      throw new Error(`${options.what}: the node ${options.process.exit} before it was ready (log: ${options.process.logFile})`);
    }
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
      const log = options.process ? ` (log: ${options.process.logFile})` : '';
      throw new Error(`${options.what}: not ready after ${options.timeoutMs} ms${why}${log}`);
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 50));
  }
}

/** One JSON-RPC call over HTTP, no library: readiness must not depend on the adapter under test. */
export async function jsonRpc<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    signal: AbortSignal.timeout(2_000),
  });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}
