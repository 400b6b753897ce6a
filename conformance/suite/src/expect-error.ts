import { isBsnError, type BsnError, type ErrorCode } from '@bsn/contract';

/**
 * Awaits `promise` and demands a typed BSN error with `code` (and `field` when given).
 * Anything else — success, an untyped error, another code — fails with what happened
 * instead, so the report says what the adapter did.
 */
export async function expectBsnError(
  promise: Promise<unknown>,
  code: ErrorCode,
  options: { field?: string; what: string },
): Promise<BsnError> {
  let outcome: unknown;
  try {
    outcome = await promise;
  } catch (error) {
    if (!isBsnError(error)) {
      const got = error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error);
      throw new Error(`${options.what}: expected a typed ${code} error, got an untyped ${got}`);
    }
    if (error.code !== code) {
      throw new Error(`${options.what}: expected ${code}, got ${error.code} (${error.message})`);
    }
    if (options.field !== undefined && error.field !== options.field) {
      throw new Error(
        `${options.what}: expected the error to name field ${options.field}, it named ${error.field ?? 'none'} (${error.message})`,
      );
    }
    return error;
  }
  throw new Error(`${options.what}: expected ${code}, but the call succeeded${describeOutcome(outcome)}`);
}

function describeOutcome(outcome: unknown): string {
  if (outcome && typeof outcome === 'object' && 'txId' in outcome) return ` with tx ${(outcome as { txId: string }).txId}`;
  return '';
}
