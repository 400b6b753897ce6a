import { UnavailableError } from '@bsn/contract';
import { FRAMEWORK } from './describe.js';

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

/** Single requests in flight at once when a node refuses a batch: a 200-receipt batch must not become 200 parallel requests. */
const FALLBACK_CALLS_IN_PARALLEL = 8;

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
    const body = await this.post([method], { jsonrpc: '2.0', id: this.nextId++, method, params });
    return answerOf<T>(method, body as RpcAnswer);
  }

  /**
   * Several independent requests in one HTTP round trip (a JSON-RPC batch). Each settles on
   * its own: a node error for one request rejects only that one (a JsonRpcError, as from
   * `call`); a transport failure rejects them all (UnavailableError). Nothing may depend on
   * the order in which the node executes them. A request the node's answer leaves out (or
   * every request, when the answer is not an array: batches unsupported) is asked again on
   * its own, at most FALLBACK_CALLS_IN_PARALLEL at a time, so batch only reads.
   */
  batch<T extends unknown[]>(requests: { [K in keyof T]: { method: string; params?: unknown[] } }): { [K in keyof T]: Promise<T[K]> } {
    const list = requests as readonly { method: string; params?: unknown[] }[];
    const ids = list.map(() => this.nextId++);
    const answers: Promise<Array<RpcAnswer | undefined>> = this.post(
      list.map((r) => r.method),
      list.map((r, i) => ({ jsonrpc: '2.0', id: ids[i], method: r.method, params: r.params ?? [] })),
    ).then((body) => {
      if (!Array.isArray(body)) return list.map(() => undefined);
      const byId = new Map((body as RpcAnswer[]).map((a) => [a?.id, a]));
      return ids.map((id) => byId.get(id));
    });
    let alone: ReturnType<typeof limiter> | undefined;
    const out = list.map((r, i) =>
      answers.then((all) =>
        all[i] ? answerOf(r.method, all[i]) : (alone ??= limiter(FALLBACK_CALLS_IN_PARALLEL))(() => this.call(r.method, r.params)),
      ),
    );
    // Callers may await only some of them; the others must not become unhandled rejections.
    for (const p of out) p.catch(() => undefined);
    return out as { [K in keyof T]: Promise<T[K]> };
  }

  private async post(methods: string[], payload: unknown): Promise<unknown> {
    const what = methods.join('+');
    if (this.closed) throw new UnavailableError('the adapter is closed', { detail: { framework: FRAMEWORK, data: { method: what } } });
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    this.inflight.add(controller);
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        signal: controller.signal,
      });
      const text = await response.text();
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new UnavailableError(`${what}: the node answered HTTP ${response.status} without JSON`, {
          detail: {
            framework: FRAMEWORK,
            code: response.status,
            message: text.slice(0, 200),
            data: { method: what, endpoint: this.endpoint },
          },
        });
      }
    } catch (error) {
      if (error instanceof UnavailableError) throw error;
      const reason = controller.signal.aborted ? String(controller.signal.reason?.message ?? 'aborted') : describeFetchError(error);
      throw new UnavailableError(`${what}: the Ethereum node at ${this.endpoint} did not answer (${reason})`, {
        detail: { framework: FRAMEWORK, code: fetchErrorCode(error), message: reason, data: { method: what, endpoint: this.endpoint } },
        cause: error,
      });
    } finally {
      clearTimeout(timer);
      this.inflight.delete(controller);
    }
  }

  /** Aborts requests in flight; later calls fail with UnavailableError. */
  close(): void {
    this.closed = true;
    for (const c of this.inflight) c.abort(new Error('adapter closed'));
    this.inflight.clear();
  }
}

/** Runs tasks with at most `n` of them unsettled at once, in the order they were given. */
function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  const next = () => {
    if (running >= n) return;
    const start = waiting.shift();
    if (!start) return;
    running++;
    start();
  };
  return (task) =>
    new Promise((resolve, reject) => {
      waiting.push(() =>
        task()
          .then(resolve, reject)
          .finally(() => {
            running--;
            next();
          }),
      );
      next();
    });
}

interface RpcAnswer {
  id?: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

function answerOf<T>(method: string, body: RpcAnswer): T {
  if (body?.error) throw new JsonRpcError(method, body.error.code, body.error.message, body.error.data);
  return body?.result as T;
}

function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code) return `${cause.code}${cause.message ? `: ${cause.message}` : ''}`;
  return error instanceof Error ? error.message : String(error);
}

function fetchErrorCode(error: unknown): string | undefined {
  return (error as { cause?: { code?: string } })?.cause?.code;
}
