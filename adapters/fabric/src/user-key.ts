import { createHash } from 'node:crypto';

/**
 * User-key mode on Fabric.
 *
 * Fabric's own client-signed flow needs two signatures by the creator (the proposal, then the
 * transaction envelope that embeds the endorsements; a third for the commit-status request),
 * and the envelope can only be built after endorsement. The adaptation standard's user-key
 * mode is one digest per prepared transaction (`prepare` → sign → `submitPrepared`), so this
 * adapter implements it as a *signed authorisation relayed* by the org:
 *
 * - `prepare` builds the authorisation below and returns SHA-256(DOMAIN ‖ authJson) as the
 *   digest; the client signs it with its own P-256 key;
 * - `submitPrepared` checks the signature locally (a wrong key writes nothing and costs no
 *   round trip), then submits `invokeSigned(authJson, signature)` as the org's service user;
 * - the preset chaincode verifies the signature again on every endorsing peer, checks the
 *   expiry against the transaction time and that the app is the one signed for, and then
 *   executes the put/delete as the account `<relaying mspId>:<key hash>` — the same account
 *   the key has when it signs Fabric transactions itself (hosted-key mode), with the same
 *   membership, freezing and request-id rules.
 *
 * The user's key never leaves the client and nothing is written without its signature;
 * Fabric's creator of the transaction is the relaying org's client identity.
 */
export const USER_KEY_DOMAIN = 'bsn:fabric:user-key:v1\n';

/** What the user signs (JSON, exactly as relayed). */
export interface UserAuthorisation {
  v: 1;
  app: string;
  /** The app's creating transaction: binds the authorisation to this instance of the app. */
  appTx: string;
  method: 'put' | 'delete';
  requestId: string;
  key: string;
  /** base64, for put */
  value?: string;
  /** The signing key, uncompressed P-256, hex. */
  publicKey: string;
  /** ms since epoch; the chaincode refuses it in a transaction timestamped later. */
  expiresAt: number;
}

export function authorisationDigest(authJson: string): Uint8Array {
  return createHash('sha256').update(USER_KEY_DOMAIN + authJson, 'utf8').digest();
}

/** The opaque `PreparedTransaction.payload` (base64 JSON). */
export interface PreparedPayload {
  v: 1;
  channel: string;
  chaincode: string;
  auth: string;
}
