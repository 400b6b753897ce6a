import { TimeoutError, UnavailableError } from '@bsn/contract';
import { FRAMEWORK } from '../framework.js';

/** An error a node answered with, kept verbatim: FISCO's code (txpool status, ledger code, -32xxx, -1) and words. */
export class FiscoRpcError extends Error {
  override readonly name = 'FiscoRpcError';
  constructor(
    readonly method: string,
    readonly code: number,
    readonly rpcMessage: string,
  ) {
    super(
      `${method}: ${
        rpcMessage
          .split('\n')
          .find((l) => l.startsWith('std::exception::what:'))
          ?.slice(22) ?? rpcMessage
      } (FISCO code ${code})`,
    );
  }
}

/**
 * A JSON-RPC client of one FISCO BCOS 3.x node and group: `[groupID, nodeName, …]` params
 * (node name empty: any node), one HTTP request per call, each with a deadline. Transport
 * failures are UnavailableError; a deadline passed is TimeoutError (the outcome of a write is
 * then unknown); node errors are FiscoRpcError for the adapter's error mapping.
 */
export class FiscoRpc {
  private nextId = 1;
  private closed = false;
  private readonly inflight = new Set<AbortController>();
  /** Where the node is, without credentials or path (safe in error details). */
  readonly endpoint: string;

  constructor(
    readonly url: string,
    readonly groupId: string,
    private readonly timeoutMs: number,
  ) {
    const u = new URL(url);
    this.endpoint = `${u.protocol}//${u.host}`;
  }

  /** A per-group method: `[groupID, "", …params]`. */
  group<T>(method: string, params: unknown[] = [], timeoutMs?: number): Promise<T> {
    return this.request<T>(method, [this.groupId, '', ...params], timeoutMs);
  }

  async request<T>(method: string, params: unknown[], timeoutMs = this.timeoutMs): Promise<T> {
    const detail = { framework: FRAMEWORK, data: { method, endpoint: this.endpoint } };
    if (this.closed) throw new UnavailableError('the adapter is closed', { detail });
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    this.inflight.add(controller);
    let body: { result?: T; error?: { code: number; message: string } };
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: this.nextId++, method, params }),
        signal: controller.signal,
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      body = (await response.json()) as typeof body;
    } catch (error) {
      if (controller.signal.aborted && !this.closed) {
        throw new TimeoutError(`${method}: the node at ${this.endpoint} did not answer within ${timeoutMs} ms`, { detail, cause: error });
      }
      throw new UnavailableError(`${method}: the node at ${this.endpoint} is unreachable: ${(error as Error).message}`, {
        detail,
        cause: error,
      });
    } finally {
      clearTimeout(timer);
      this.inflight.delete(controller);
    }
    if (body.error) throw new FiscoRpcError(method, body.error.code, String(body.error.message));
    return body.result as T;
  }

  close(): void {
    this.closed = true;
    for (const c of this.inflight) c.abort();
  }
}
