'use strict';
// Accounts: an MSP identity is known to the preset contract as `<mspId>:<h>`, where h is the
// first 20 bytes (hex) of SHA-256 over the identity's uncompressed P-256 public key. The id
// depends on the key, not on the certificate, so a re-issued certificate for the same key
// (the adapter issues them on demand) is the same account. The adapter computes the same id
// (adapters/fabric/src/accounts.ts).
const { createHash, X509Certificate, createPublicKey } = require('node:crypto');
const { fail } = require('./errors.js');

function accountId(mspId, publicKey) {
  return `${mspId}:${createHash('sha256').update(publicKey).digest('hex').slice(0, 40)}`;
}

/** Uncompressed SEC1 point of a P-256 key object. */
function pointOf(keyObject) {
  const jwk = keyObject.export({ format: 'jwk' });
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256') fail('UNAUTHORIZED', 'only P-256 (secp256r1) identities are BSN accounts');
  return Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
}

/** The account of the transaction's creator (Fabric validated its certificate and signature). */
function creatorAccount(ctx) {
  const mspId = ctx.clientIdentity.getMSPID();
  const pem = Buffer.from(ctx.clientIdentity.getIDBytes()).toString('utf8');
  let publicKey;
  try {
    publicKey = pointOf(new X509Certificate(pem).publicKey);
  } catch (error) {
    if (error && error.code === 'UNAUTHORIZED') throw error;
    fail('UNAUTHORIZED', `the creator's certificate cannot be read: ${error && error.message}`);
  }
  return accountId(mspId, publicKey);
}

/** A P-256 public key from 65-byte uncompressed hex, as a KeyObject. */
function publicKeyFromHex(hex, field) {
  if (typeof hex !== 'string' || !/^04[0-9a-f]{128}$/.test(hex))
    fail('INVALID_INPUT', `${field} must be an uncompressed P-256 public key (130 hex digits, 04…)`, { field });
  const point = Buffer.from(hex, 'hex');
  try {
    return {
      point,
      key: createPublicKey({
        key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') },
        format: 'jwk',
      }),
    };
  } catch {
    return fail('INVALID_INPUT', `${field} is not a point on P-256`, { field });
  }
}

module.exports = { accountId, creatorAccount, publicKeyFromHex };
