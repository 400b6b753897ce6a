import { createHash } from 'node:crypto';

/**
 * The account id of an MSP identity: `<mspId>:<h>`, h = the first 20 bytes (hex) of SHA-256
 * over the uncompressed P-256 public key. It depends on the org and the key only, never on
 * the certificate, so re-issuing a certificate keeps the account. The preset chaincode
 * computes the same id from a transaction's creator (chaincode/lib/accounts.js).
 */
export function accountId(mspId: string, publicKey: Uint8Array): string {
  return `${mspId}:${createHash('sha256').update(publicKey).digest('hex').slice(0, 40)}`;
}

export const ACCOUNT_ID = /^[A-Za-z0-9._-]{1,64}:[0-9a-f]{40}$/;
