/**
 * The node answered with an error, over REST or gRPC, or with an answer the client refuses
 * (not signed by the pinned node key). One of core's typed errors, so `isBsnError(err, code)`
 * and `retryable` work for it as for an adapter's; `reason` says exactly what was wrong.
 */
import { BsnError, ERROR_CODES, type ErrorCode, type FrameworkDetail } from '@bsn/contract';
import type { ClientReason, ErrorBody, Reason } from '@bsn/protocol';

/** The error object of an answer, as far as it could be read. */
export interface ErrorAnswer {
  code?: string;
  reason?: Reason | ClientReason;
  message?: string;
  field?: string;
  detail?: FrameworkDetail;
}

/** Which API answered: REST's HTTP status, or gRPC's status code. */
export type Transport = { status: number } | { grpcCode: number };

/**
 * A BSN code as it is; INTERNAL (the node failed in a way it did not expect) or no code at
 * all is UNAVAILABLE: the node could not do it now, and a retry with the same request id is
 * safe. `status` 500 or `grpcCode` 13 still tells the two apart.
 */
function codeOf(code: string | undefined): ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(code ?? '') ? (code as ErrorCode) : 'UNAVAILABLE';
}

export class NodeResponseError extends BsnError {
  readonly reason?: Reason | ClientReason;
  /** The HTTP status of a REST answer. */
  readonly status?: number;
  /** The gRPC status code of a gRPC answer. */
  readonly grpcCode?: number;
  /** Whether the answer carried the pinned node key's signature. */
  readonly verified: boolean;

  constructor(answer: ErrorAnswer, transport: Transport, verified: boolean, fallbackMessage = 'the node refused the request') {
    super(codeOf(answer.code), answer.message ?? fallbackMessage, {
      ...(answer.field && { field: answer.field }),
      ...(answer.detail && { detail: answer.detail }),
    });
    if (answer.reason) this.reason = answer.reason;
    if ('status' in transport) this.status = transport.status;
    else this.grpcCode = transport.grpcCode;
    this.verified = verified;
  }

  /** From an error body (`{ error: {…} }`, REST's body or gRPC's `x-bsn-error-bin`); anything else gives `fallbackMessage`. */
  static fromBody(body: unknown, transport: Transport, verified: boolean, fallbackMessage: string): NodeResponseError {
    const answer = (body as Partial<ErrorBody> | undefined)?.error ?? {};
    return new NodeResponseError(answer, transport, verified, fallbackMessage);
  }

  /** The client's own refusal of an answer not signed by the pinned node key. */
  static unsigned(what: string, transport: Transport): NodeResponseError {
    return new NodeResponseError(
      { code: 'UNAUTHORIZED', reason: 'bad-node-signature', message: `${what} is not signed by the pinned node key` },
      transport,
      false,
    );
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      ...(this.reason && { reason: this.reason }),
      ...(this.status !== undefined && { status: this.status }),
      ...(this.grpcCode !== undefined && { grpcCode: this.grpcCode }),
      verified: this.verified,
    };
  }
}
