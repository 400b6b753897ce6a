/**
 * The node's API errors: core's typed errors plus a `reason` naming the exact problem (see
 * `REASONS` in @bsn/protocol, shared with the clients), and the HTTP / gRPC statuses every
 * code maps to.
 */
import { BsnError, isBsnError, type BsnErrorOptions, type ErrorCode } from '@bsn/contract';
import { REASONS, type ErrorBody, type Reason } from '@bsn/protocol';

export class ApiError extends BsnError {
  readonly reason: Reason;
  /** Overrides the status the code maps to (413 for an oversized body). */
  readonly httpStatus?: number;

  constructor(code: ErrorCode, reason: Reason, message: string, options: BsnErrorOptions & { httpStatus?: number } = {}) {
    super(code, message, options);
    this.reason = reason;
    if (options.httpStatus) this.httpStatus = options.httpStatus;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), reason: this.reason };
  }
}

export const unauthorized = (reason: Reason, message: string, field?: string) =>
  new ApiError('UNAUTHORIZED', reason, message, field ? { field } : {});
export const invalid = (reason: Reason, message: string, field?: string) =>
  new ApiError('INVALID_INPUT', reason, message, field ? { field } : {});
export const notFound = (reason: Reason, message: string) => new ApiError('NOT_FOUND', reason, message);

const HTTP: Record<ErrorCode, number> = {
  INVALID_INPUT: 400,
  UNAUTHORIZED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  REJECTED_BY_CHAIN: 422,
  UNAVAILABLE: 503,
  TIMEOUT: 504,
};

/** The reason of a typed error that carries none of its own (an adapter's, i.e. the chain's). */
const REASON_OF_CODE: Record<ErrorCode, Reason> = {
  INVALID_INPUT: 'invalid-field',
  UNAUTHORIZED: 'chain-unauthorized',
  NOT_FOUND: 'not-found',
  CONFLICT: 'chain-conflict',
  REJECTED_BY_CHAIN: 'rejected-by-chain',
  UNAVAILABLE: 'unavailable',
  TIMEOUT: 'timeout',
};

/** gRPC status codes (grpc/status.h numbers). */
const GRPC: Record<ErrorCode, number> = {
  INVALID_INPUT: 3, // INVALID_ARGUMENT
  UNAUTHORIZED: 7, // PERMISSION_DENIED
  NOT_FOUND: 5,
  CONFLICT: 6, // ALREADY_EXISTS
  REJECTED_BY_CHAIN: 9, // FAILED_PRECONDITION
  UNAVAILABLE: 14,
  TIMEOUT: 4, // DEADLINE_EXCEEDED
};

/** Credential problems are 401 (who are you?); the rest of UNAUTHORIZED is 403 (not allowed). */
const CREDENTIAL_REASONS = new Set<string>([
  'missing-credentials',
  'malformed-credentials',
  'unknown-user',
  'unknown-peer',
  'bad-signature',
  'stale-timestamp',
  'nonce-replayed',
]);

/** Status and body for any thrown value: typed errors keep their code, anything else is a 500 INTERNAL. */
export function describeError(err: unknown): { status: number; grpcCode: number; body: ErrorBody } {
  if (isBsnError(err)) {
    // The node's own errors carry a Reason; another typed error's reason is passed on as it is.
    const own = (err as { reason?: unknown }).reason;
    const reason = typeof own === 'string' && (REASONS as readonly string[]).includes(own) ? (own as Reason) : REASON_OF_CODE[err.code];
    let status = (err as { httpStatus?: number }).httpStatus ?? HTTP[err.code] ?? 500;
    let grpcCode = GRPC[err.code] ?? 2;
    if (err.code === 'UNAUTHORIZED' && CREDENTIAL_REASONS.has(reason)) {
      status = 401;
      grpcCode = 16; // UNAUTHENTICATED: who the caller is could not be established
    }
    return {
      status,
      grpcCode,
      body: {
        error: {
          code: err.code,
          reason,
          message: err.message,
          ...(err.field && { field: err.field }),
          retryable: err.retryable,
          ...(err.detail && { detail: err.detail }),
        },
      },
    };
  }
  return {
    status: 500,
    grpcCode: 13,
    body: { error: { code: 'INTERNAL', reason: 'internal', message: 'internal error (see the node log)' } },
  };
}
