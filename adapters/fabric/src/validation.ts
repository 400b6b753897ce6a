import * as core from '@bsn/contract';
import { InvalidInputError, type ChainAccount } from '@bsn/contract';
import { ACCOUNT_ID, accountId } from './accounts.js';
import { LIMITS } from './limits.js';
import { checkAlgorithm, checkPublicKey } from './signer-bridge.js';

/**
 * Input checks. The shared rules (ids, keys, values, pages) are core's, so this adapter
 * refuses exactly what every other adapter refuses, with the same JSON pointers; the
 * Fabric-only ones (transaction ids, accounts) are here.
 */
export const { checkAppRef, checkValue, checkKvWrite, checkKvRead, checkKvListRequest } = core.inputChecks(LIMITS);

function invalid(field: string, message: string): never {
  throw new InvalidInputError(`${field}: ${message}`, { field });
}

const TX_ID = /^[0-9a-fA-F]{64}$/;

/** A Fabric transaction id: SHA-256(nonce ‖ creator), 64 hex digits. */
export function checkTxId(txId: unknown, field = '/txId'): string {
  if (typeof txId !== 'string' || !TX_ID.test(txId)) invalid(field, 'a Fabric transaction id is 64 hex digits');
  return txId.toLowerCase();
}

/**
 * A member as the lifecycle takes it: a ChainAccount of this framework whose id is the
 * `<mspId>:<key hash>` of its own public key. Returns the id.
 */
export function checkMember(member: unknown, field: string): string {
  if (typeof member !== 'object' || member === null) invalid(field, 'a member is a ChainAccount { framework, algorithm, publicKey, id }');
  const m = member as Partial<ChainAccount>;
  if (m.framework !== undefined && m.framework !== 'fabric')
    invalid(`${field}/framework`, `a Fabric app's members are Fabric accounts, not ${JSON.stringify(m.framework)}`);
  checkAlgorithm(m.algorithm, `${field}/algorithm`);
  if (typeof m.publicKey !== 'string' || !/^(0x)?04[0-9a-fA-F]{128}$/.test(m.publicKey))
    invalid(`${field}/publicKey`, 'must be a 65-byte uncompressed public key in hex');
  const publicKey = checkPublicKey(Uint8Array.from(Buffer.from(m.publicKey.replace(/^0x/, ''), 'hex')), `${field}/publicKey`);
  if (typeof m.id !== 'string' || !ACCOUNT_ID.test(m.id)) invalid(`${field}/id`, 'must be a Fabric account id <mspId>:<40 hex>');
  const mspId = m.id.slice(0, m.id.lastIndexOf(':'));
  if (accountId(mspId, publicKey) !== m.id) invalid(`${field}/id`, 'is not the account of the public key given');
  return m.id;
}
