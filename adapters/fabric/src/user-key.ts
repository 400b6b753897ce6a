import { createHash } from 'node:crypto';
import {
  UnauthorizedError,
  bareHex,
  checkPreparedAccount,
  checkPreparedFresh,
  checkPreparedShape,
  checkSubmitRequest,
  deadlineOf,
  decodePreparedPayload,
  preparedMismatch,
  preparedTransaction,
  verifyDigest,
  whatOf,
  type CompactSignature,
  type KeyAlgorithm,
  type PreparedTransaction,
  type Receipt,
  type SubmitRequest,
  type WritePlan,
} from '@bsn/contract';
import type { PresetChaincode } from './chaincode-client.js';
import type { ResolvedConfig } from './config.js';
import type { FabricConnection } from './connection.js';
import { FRAMEWORK } from './describe.js';
import { LIMITS } from './limits.js';
import { KEY_ALGORITHMS, checkPublicKey, lowS } from './signer-bridge.js';
import type { Transactor } from './transactions.js';

/** Prefixed to what the user signs, so the digest can be nothing else the key signs. */
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
  return createHash('sha256')
    .update(USER_KEY_DOMAIN + authJson, 'utf8')
    .digest();
}

/** The opaque `PreparedTransaction.payload` (base64 JSON). */
export interface PreparedPayload {
  v: 1;
  channel: string;
  chaincode: string;
  auth: string;
}

/** The payload and the authorisation it carries, or the mismatch refusal when they are not this adapter's. */
function openPayload(prepared: PreparedTransaction): { payload: PreparedPayload; auth: UserAuthorisation } {
  const payload = decodePreparedPayload<Partial<PreparedPayload> | null>(prepared);
  if (typeof payload?.auth !== 'string') throw preparedMismatch();
  let auth: unknown;
  try {
    auth = JSON.parse(payload.auth);
  } catch {
    throw preparedMismatch();
  }
  if (typeof auth !== 'object' || auth === null) throw preparedMismatch();
  return { payload: payload as PreparedPayload, auth: auth as UserAuthorisation };
}

export interface UserKeyDeps {
  config: ResolvedConfig;
  connection: FabricConnection;
  chaincode: PresetChaincode;
  transactor: Transactor;
}

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
export class UserKeyRelay {
  constructor(private readonly d: UserKeyDeps) {}

  async prepare(request: SubmitRequest, account: { publicKey: Uint8Array; algorithm: KeyAlgorithm }): Promise<PreparedTransaction> {
    const plan = checkSubmitRequest(request, LIMITS);
    checkPreparedAccount(account, KEY_ALGORITHMS, 'Fabric');
    const publicKey = checkPublicKey(account.publicKey, '/account/publicKey');
    const app = await this.d.chaincode.app(plan.appId);
    const now = Date.now();
    const auth: UserAuthorisation = {
      v: 1,
      app: plan.appId,
      appTx: app.createdTx,
      method: plan.method,
      requestId: plan.requestId,
      key: plan.key,
      ...(plan.value && { value: Buffer.from(plan.value).toString('base64') }),
      publicKey: Buffer.from(publicKey).toString('hex'),
      expiresAt: now + this.d.config.preparedTtlMs,
    };
    const authJson = JSON.stringify(auth);
    const payload: PreparedPayload = { v: 1, channel: this.d.config.channel, chaincode: this.d.config.chaincode, auth: authJson };
    return preparedTransaction({
      request,
      algorithm: 'secp256r1',
      publicKey: auth.publicKey,
      digest: Buffer.from(authorisationDigest(authJson)).toString('hex'),
      payload,
      ttlMs: this.d.config.preparedTtlMs,
      now,
    });
  }

  async submitPrepared(prepared: PreparedTransaction, signature: CompactSignature): Promise<Receipt> {
    checkPreparedShape(prepared);
    const plan = checkSubmitRequest(prepared.request, LIMITS);
    const { payload, auth } = openPayload(prepared);
    const digest = authorisationDigest(payload.auth);
    const value = plan.value ? Buffer.from(plan.value).toString('base64') : undefined;
    const { config } = this.d;
    if (
      payload.v !== 1 ||
      payload.channel !== config.channel ||
      payload.chaincode !== config.chaincode ||
      auth.v !== 1 ||
      auth.app !== plan.appId ||
      auth.method !== plan.method ||
      auth.requestId !== plan.requestId ||
      auth.key !== plan.key ||
      auth.value !== value ||
      auth.publicKey !== bareHex(prepared.publicKey) ||
      auth.expiresAt !== prepared.expiresAt ||
      Buffer.from(digest).toString('hex') !== bareHex(prepared.digest)
    ) {
      throw preparedMismatch();
    }
    checkPreparedFresh(prepared);
    const publicKey = checkPublicKey(Uint8Array.from(Buffer.from(auth.publicKey, 'hex')), '/publicKey');
    const compact = signature?.compact;
    if (!(compact instanceof Uint8Array) || compact.length !== 64 || !verifyDigest('secp256r1', publicKey, digest, lowS(compact))) {
      throw new UnauthorizedError('the signature is not by the key the transaction was prepared for', {
        stage: 'sign',
        detail: { framework: FRAMEWORK, message: 'user-key signature does not verify', data: { publicKey: auth.publicKey } },
      });
    }
    return this.relaySigned(payload.auth, lowS(compact), plan);
  }

  /**
   * Submits a user-signed authorisation as the org's service user; the chaincode checks the
   * signature itself (tests call this directly to see the chain refuse a forged one).
   */
  async relaySigned(
    authJson: string,
    compact: Uint8Array,
    plan: Pick<WritePlan, 'appId' | 'method' | 'requestId' | 'timeoutMs'>,
  ): Promise<Receipt> {
    const committed = await this.d.transactor.transact(
      this.d.connection.service,
      'invokeSigned',
      [authJson, Buffer.from(compact).toString('base64')],
      {
        what: `${whatOf(plan)} (user key)`,
        deadline: deadlineOf(plan, this.d.config.submitTimeoutMs),
        kvResult: true,
      },
    );
    return this.d.transactor.receiptOf(committed, plan.requestId);
  }
}
