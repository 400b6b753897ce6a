import { UnavailableError } from '@bsn/core';

/** An error object a node answered with (JSON-RPC 2.0 §5.1), kept verbatim. */
export class JsonRpcError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    readonly rpcMessage: string,
    readonly data?: unknown,
  ) {
    super(`${method}: ${rpcMessage} (JSON-RPC ${code})`);
    this.name = 'JsonRpcError';
  }
}

/**
 * A minimal JSON-RPC 2.0 client over HTTP (fetch). Deliberately not an ethers Provider: no
 * background polling, no hidden caches, no retry loops, every request has a deadline, and
 * node errors reach the error mapper with their code and data intact.
 */
export class RpcClient {
  private nextId = 1;
  private closed = false;
  private readonly inflight = new Set<AbortController>();
  /** Where the node is, without credentials or path (safe to put in error details). */
  readonly endpoint: string;

  constructor(
    readonly url: string,
    private readonly timeoutMs: number,
  ) {
    const u = new URL(url);
    this.endpoint = `${u.protocol}//${u.host}`;
  }

  async call<T>(method: string, params: unknown[] = []): Promise<T> {
    if (this.closed) throw new UnavailableError('the adapter is closed', { detail: { framework: 'ethereum', data: { method } } });
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    this.inflight.add(controller);
    const id = this.nextId++;
    let body: { result?: T; error?: { code: number; message: string; data?: unknown } };
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id, method, params }),
        signal: controller.signal,
      });
      const text = await response.text();
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        throw new UnavailableError(`${method}: the node answered HTTP ${response.status} without JSON`, {
          detail: { framework: 'ethereum', code: response.status, message: text.slice(0, 200), data: { method, endpoint: this.endpoint } },
        });
      }
    } catch (error) {
      if (error instanceof UnavailableError) throw error;
      const reason = controller.signal.aborted ? String(controller.signal.reason?.message ?? 'aborted') : describeFetchError(error);
      throw new UnavailableError(`${method}: the Ethereum node at ${this.endpoint} did not answer (${reason})`, {
        detail: { framework: 'ethereum', code: fetchErrorCode(error), message: reason, data: { method, endpoint: this.endpoint } },
        cause: error,
      });
    } finally {
      clearTimeout(timer);
      this.inflight.delete(controller);
    }
    if (body.error) throw new JsonRpcError(method, body.error.code, body.error.message, body.error.data);
    return body.result as T;
  }

  /** Aborts requests in flight; later calls fail with UnavailableError. */
  close(): void {
    this.closed = true;
    for (const c of this.inflight) c.abort(new Error('adapter closed'));
    this.inflight.clear();
  }
}

function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code) return `${cause.code}${cause.message ? `: ${cause.message}` : ''}`;
  return error instanceof Error ? error.message : String(error);
}

function fetchErrorCode(error: unknown): string | undefined {
  return (error as { cause?: { code?: string } })?.cause?.code;
}
