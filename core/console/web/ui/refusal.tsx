/** A refused call as the node named it: code, reason and the field it was about. */
import { ApiRefusal } from '../../src/signing/signed-api.js';

export function describe(err: unknown): string {
  if (err instanceof ApiRefusal) return `${err.reason}${err.field ? ` (${err.field})` : ''}: ${err.message}`;
  return (err as Error)?.message ?? String(err);
}

export function Refusal({ error }: { error?: unknown }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      Refused — {describe(error)}
    </p>
  );
}
