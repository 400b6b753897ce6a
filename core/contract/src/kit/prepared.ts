/**
 * The user-key envelope (`PreparedTransaction`) every adapter hands out and takes back: the
 * request, the key it was prepared for, the digest to sign and an opaque payload, base64 JSON.
 * What the payload holds is the adapter's; its framing, freshness and refusals are here.
 */
import type { KeyAlgorithm } from '../contract/keys.js';
import type { PreparedTransaction, SubmitRequest } from '../contract/gateway.js';
import { ConflictError, InvalidInputError } from '../errors/errors.js';
import { checkKeyAlgorithmIn } from './accounts.js';

/** The account a transaction is prepared for, after its shape is checked. */
export interface PreparedAccount {
  publicKey: Uint8Array;
  algorithm: KeyAlgorithm;
}

/**
 * Checks `prepare()`'s account argument: an object whose algorithm is one the framework's
 * accounts use. The key itself is the adapter's to check (its curve, its encoding).
 */
export function checkPreparedAccount(account: unknown, algorithms: readonly KeyAlgorithm[], framework?: string): PreparedAccount {
  if (typeof account !== 'object' || account === null)
    throw new InvalidInputError('account is { publicKey, algorithm }', { field: '/account' });
  const { publicKey, algorithm } = account as Partial<PreparedAccount>;
  checkKeyAlgorithmIn(algorithm, algorithms, '/account/algorithm', framework);
  return { publicKey: publicKey as Uint8Array, algorithm };
}

/** Builds the envelope: the request copied, the payload encoded, an expiry `ttlMs` from now. */
export function preparedTransaction<P>(o: {
  request: SubmitRequest;
  algorithm: KeyAlgorithm;
  /** hex, no 0x */
  publicKey: string;
  /** hex */
  digest: string;
  payload: P;
  ttlMs: number;
  now?: number;
}): PreparedTransaction {
  return {
    request: { ...o.request, args: [...o.request.args] },
    algorithm: o.algorithm,
    publicKey: o.publicKey,
    digest: o.digest,
    payload: Buffer.from(JSON.stringify(o.payload)).toString('base64'),
    expiresAt: (o.now ?? Date.now()) + o.ttlMs,
  };
}

/** Refuses anything that is not an envelope object. */
export function checkPreparedShape(prepared: unknown): asserts prepared is PreparedTransaction {
  if (typeof prepared !== 'object' || prepared === null)
    throw new InvalidInputError('prepared is a PreparedTransaction', { field: '/prepared' });
}

/** The adapter's own payload back, or InvalidInputError when it is not one the adapter produced. */
export function decodePreparedPayload<P>(prepared: PreparedTransaction): P {
  try {
    return JSON.parse(Buffer.from(String(prepared.payload), 'base64').toString('utf8')) as P;
  } catch {
    throw new InvalidInputError('the prepared payload is not one this adapter produced', { field: '/payload' });
  }
}

/** ConflictError once the envelope has expired: prepare it again. */
export function checkPreparedFresh(prepared: PreparedTransaction, now = Date.now()): void {
  if (typeof prepared.expiresAt !== 'number' || now > prepared.expiresAt) {
    throw new ConflictError('the prepared transaction has expired: prepare it again', { stage: 'validate', field: '/expiresAt' });
  }
}

/** The refusal for a payload whose contents disagree with its request, key or digest. */
export function preparedMismatch(): InvalidInputError {
  return new InvalidInputError('the prepared payload does not match its request, key or digest', { field: '/payload' });
}

/** A hex string without `0x`, lower-case, for comparing envelope fields. */
export const bareHex = (value: unknown): string => String(value).replace(/^0x/, '').toLowerCase();
