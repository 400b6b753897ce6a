import { InvalidInputError, checkId, checkMethod, type ChainGrant } from '@bsn/contract';

const CHAIN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
/** The contract keeps at most this many methods per grant. */
const MAX_METHODS = 32;

/** Refuses a grant that could not be one before anything is sent, naming the field (`/grant/peerApp`, …). */
export function checkGrant(value: unknown): ChainGrant {
  const bad = (field: string, why: string): never => {
    throw new InvalidInputError(`/grant${field}: ${why}`, { field: `/grant${field}` });
  };
  if (typeof value !== 'object' || value === null) bad('', 'must be a grant object');
  const g = value as Record<string, unknown>;
  if (g.direction !== 'outgoing' && g.direction !== 'incoming') bad('/direction', 'must be outgoing or incoming');
  if (typeof g.peerChain !== 'string' || !CHAIN.test(g.peerChain)) bad('/peerChain', 'must be a chain name');
  checkId(g.peerApp, '/grant/peerApp');
  checkId(g.ref, '/grant/ref');
  if (!Array.isArray(g.methods) || g.methods.length === 0 || g.methods.length > MAX_METHODS)
    bad('/methods', `must list 1 to ${MAX_METHODS} methods`);
  (g.methods as unknown[]).forEach((m, i) => checkMethod(m, `/grant/methods/${i}`));
  if (!Number.isSafeInteger(g.expiresAt) || (g.expiresAt as number) < 0) bad('/expiresAt', 'must be ms since the epoch, or 0 for never');
  if (typeof g.revoked !== 'boolean') bad('/revoked', 'must be a boolean');
  return g as unknown as ChainGrant;
}
