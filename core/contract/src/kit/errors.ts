/**
 * The scaffolding of an adapter's error mapping: what was being done, the class for a code,
 * and the fallback for anything the framework's own mapping does not recognise. The mapping
 * of the framework's errors themselves (reverts, gRPC statuses, …) stays in the adapter.
 */
import {
  CLASS_BY_CODE,
  RejectedByChainError,
  UnavailableError,
  isBsnError,
  type BsnError,
  type BsnErrorOptions,
  type ErrorCode,
  type FailureStage,
} from '../errors/errors.js';

/** Where an operation failed and what it was doing, for the message and `stage`. */
export interface ErrorContext {
  stage: FailureStage;
  txId?: string;
  /** What was being done, e.g. `put on app-1`; prefixes the message. */
  what?: string;
}

/** `"<what>: "` or nothing: what every mapped message starts with. */
export const messagePrefix = (ctx: Pick<ErrorContext, 'what'>): string => (ctx.what ? `${ctx.what}: ` : '');

/** What a call of an app's contract was doing, for `ErrorContext.what`: `put on app-1`. */
export const whatOf = (call: { method: string; appId: string }): string => `${call.method} on ${call.appId}`;

/**
 * An adapter's `toBsnError`: a typed error passes through as it is; anything else goes to the
 * framework's own `map`, given the message prefix, and what `map` does not recognise
 * (`undefined`) is `unexpectedError`.
 */
export function errorMapping(
  framework: string,
  map: (error: unknown, ctx: ErrorContext, prefix: string) => BsnError | undefined,
): (error: unknown, ctx: ErrorContext) => BsnError {
  return (error, ctx) => {
    if (isBsnError(error)) return error;
    return map(error, ctx, messagePrefix(ctx)) ?? unexpectedError(error, ctx, framework);
  };
}

/**
 * The typed error for a code a chain's own refusal names; a code outside the standard's
 * (a node's answer is not trusted to be well-formed) is REJECTED_BY_CHAIN.
 */
export function errorOfCode(code: ErrorCode | string, message: string, options: BsnErrorOptions = {}): BsnError {
  const Cls = Object.hasOwn(CLASS_BY_CODE, code) ? CLASS_BY_CODE[code as ErrorCode] : RejectedByChainError;
  return new Cls(message, options);
}

/** What nothing else recognised: UNAVAILABLE (retryable), keeping the original as `cause`. */
export function unexpectedError(error: unknown, ctx: ErrorContext, framework: string): BsnError {
  const message = error instanceof Error ? error.message : String(error);
  return new UnavailableError(`${messagePrefix(ctx)}unexpected failure: ${message}`, {
    detail: { framework, message },
    stage: ctx.stage,
    cause: error,
    ...(ctx.txId && { txId: ctx.txId }),
  });
}
