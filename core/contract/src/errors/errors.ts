/**
 * One error hierarchy for every adapter operation. Adapters are loaded from other
 * packages, so a caller may hold a different copy of these classes than the adapter
 * threw: always test with `isBsnError(err, code)`, never with `instanceof`.
 */
export const ERROR_CODES = [
  'INVALID_INPUT',
  'UNAUTHORIZED',
  'NOT_FOUND',
  'CONFLICT',
  'REJECTED_BY_CHAIN',
  'UNAVAILABLE',
  'TIMEOUT',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Where in a write the failure happened (fabric-gateway style stages, named for every framework). */
export type FailureStage = 'validate' | 'prepare' | 'sign' | 'endorse' | 'submit' | 'commit' | 'query';

/** The framework's own words about a failure, kept verbatim so nothing is lost in translation. */
export interface FrameworkDetail {
  framework: string;
  /** Framework-native code: gRPC status, JSON-RPC error code, Fabric validation code, EOS error code… */
  code?: string | number;
  /** Framework-native message (revert reason, chaincode message, endorsement failure…). */
  message?: string;
  /** Anything else worth keeping: tx id, peer name, raw revert data… JSON-serialisable. */
  data?: Record<string, unknown>;
}

export interface BsnErrorOptions {
  detail?: FrameworkDetail;
  stage?: FailureStage;
  cause?: unknown;
  /** The input field at fault, as a JSON pointer into the request (e.g. `/key`, `/members/1/account`). */
  field?: string;
  txId?: string;
}

const BRAND = Symbol.for('bsn.error');

export class BsnError extends Error {
  readonly code: ErrorCode;
  readonly detail?: FrameworkDetail;
  readonly stage?: FailureStage;
  readonly field?: string;
  readonly txId?: string;
  /** Whether the same call may succeed if simply tried again later. */
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: BsnErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    if (options.detail) this.detail = options.detail;
    if (options.stage) this.stage = options.stage;
    if (options.field) this.field = options.field;
    if (options.txId) this.txId = options.txId;
    this.retryable = code === 'UNAVAILABLE' || code === 'TIMEOUT';
    Object.defineProperty(this, BRAND, { value: true });
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      ...(this.stage && { stage: this.stage }),
      ...(this.field && { field: this.field }),
      ...(this.txId && { txId: this.txId }),
      ...(this.detail && { detail: this.detail }),
      retryable: this.retryable,
    };
  }
}

/** Malformed request: wrong type, out of range, empty where forbidden. `field` says which. */
export class InvalidInputError extends BsnError {
  constructor(message: string, options: BsnErrorOptions = {}) {
    super('INVALID_INPUT', message, { stage: 'validate', ...options });
  }
}

/** The caller may not do this: not a member, app frozen for writes, grant missing, bad signature. */
export class UnauthorizedError extends BsnError {
  constructor(message: string, options: BsnErrorOptions = {}) {
    super('UNAUTHORIZED', message, options);
  }
}

export class NotFoundError extends BsnError {
  constructor(message: string, options: BsnErrorOptions = {}) {
    super('NOT_FOUND', message, options);
  }
}

/** The state forbids it: app exists already, request id reused with different content, stale version. */
export class ConflictError extends BsnError {
  constructor(message: string, options: BsnErrorOptions = {}) {
    super('CONFLICT', message, options);
  }
}

/** The chain executed or validated the transaction and said no (revert, chaincode error, MVCC conflict…). */
export class RejectedByChainError extends BsnError {
  constructor(message: string, options: BsnErrorOptions = {}) {
    super('REJECTED_BY_CHAIN', message, options);
  }
}

/** The chain or a node could not be reached, or refused for load. Retryable. */
export class UnavailableError extends BsnError {
  constructor(message: string, options: BsnErrorOptions = {}) {
    super('UNAVAILABLE', message, options);
  }
}

/**
 * A deadline passed. For a write, the outcome is unknown: the transaction may still
 * commit. Retry with the same request id, which is idempotent.
 */
export class TimeoutError extends BsnError {
  constructor(message: string, options: BsnErrorOptions = {}) {
    super('TIMEOUT', message, options);
  }
}

export const CLASS_BY_CODE: Record<ErrorCode, new (message: string, options?: BsnErrorOptions) => BsnError> = {
  INVALID_INPUT: InvalidInputError,
  UNAUTHORIZED: UnauthorizedError,
  NOT_FOUND: NotFoundError,
  CONFLICT: ConflictError,
  REJECTED_BY_CHAIN: RejectedByChainError,
  UNAVAILABLE: UnavailableError,
  TIMEOUT: TimeoutError,
};

export function isBsnError(value: unknown, code?: ErrorCode): value is BsnError {
  if (typeof value !== 'object' || value === null) return false;
  const branded = (value as Record<symbol, unknown>)[BRAND] === true;
  const shaped =
    typeof (value as { code?: unknown }).code === 'string' &&
    (ERROR_CODES as readonly string[]).includes((value as { code: string }).code) &&
    value instanceof Error;
  if (!branded && !shaped) return false;
  return code === undefined || (value as BsnError).code === code;
}

/** Rebuilds a typed error from its JSON form (errors cross process boundaries in the city node). */
export function errorFromJSON(json: { code: ErrorCode; message: string } & BsnErrorOptions): BsnError {
  const Cls = CLASS_BY_CODE[json.code] ?? BsnError;
  const { code: _code, message, ...options } = json;
  return new Cls(message, options);
}
