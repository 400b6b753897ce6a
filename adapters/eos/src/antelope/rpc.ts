/**
 * The node's HTTP API (`/v1/chain/*`, `/v1/trace_api/*`): one POST per call with a deadline.
 * A refusal keeps the node's own error code, name and messages (`AntelopeApiError`); a node
 * that does not answer is `AntelopeUnreachableError`. eosjs's JsonRpc is not used: its errors
 * drop the HTTP status this adapter maps on.
 */

/** `{code, message, error: {code, name, what, details}}`, as nodeos answers a refused call. */
export interface NodeErrorBody {
  code?: number;
  message?: string;
  error?: { code?: number; name?: string; what?: string; details?: Array<{ message?: string }> };
}

/** The node answered with an error. `code` is the chain's (e.g. 3050003), `status` the HTTP one. */
export class AntelopeApiError extends Error {
  override readonly name = 'AntelopeApiError';
  constructor(
    readonly path: string,
    readonly status: number,
    readonly body: NodeErrorBody,
  ) {
    super(describe(body, status));
  }

  /** The chain's error code (`eosio_assert_message_exception` is 3050003). */
  get code(): number | undefined {
    return this.body.error?.code;
  }

  /** The chain's error name, e.g. `eosio_assert_message_exception`. */
  get errorName(): string | undefined {
    return this.body.error?.name;
  }

  /** The detail messages, first one first: what the contract's `check` said, for instance. */
  get details(): string[] {
    return (this.body.error?.details ?? []).map((d) => d.message ?? '').filter((m) => m.length > 0);
  }
}

/** The node did not answer (refused connection, timeout, a body that is not JSON). */
export class AntelopeUnreachableError extends Error {
  override readonly name = 'AntelopeUnreachableError';
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

function describe(body: NodeErrorBody, status: number): string {
  const detail = body.error?.details?.[0]?.message;
  return detail ?? body.error?.what ?? body.message ?? `HTTP ${status}`;
}

export class AntelopeRpc {
  constructor(
    readonly url: string,
    private readonly timeoutMs: number,
  ) {}

  async call<T>(path: string, body: unknown = {}, timeoutMs = this.timeoutMs): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const why = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
      throw new AntelopeUnreachableError(path, `${this.url}${path}: ${why}`, { cause: error });
    }
    let parsed: unknown;
    try {
      parsed = await response.json();
    } catch (error) {
      throw new AntelopeUnreachableError(path, `${this.url}${path}: HTTP ${response.status} with a body that is not JSON`, {
        cause: error,
      });
    }
    if (!response.ok) throw new AntelopeApiError(path, response.status, parsed as NodeErrorBody);
    return parsed as T;
  }
}
