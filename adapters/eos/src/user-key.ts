/**
 * User-key mode: `prepare` builds the transaction for the client's account and hands out the
 * digest the chain signs (SHA-256 of chain id ‖ packed transaction ‖ zeros); `submitPrepared`
 * checks the envelope is exactly what the request makes and the signature is by the prepared
 * key, then relays the transaction with that signature. A K1 signature the node would refuse
 * as non-canonical (half of them, from a signer that cannot retry) goes to the preset contract's
 * `relay` action instead, sent by the network's relayer, which checks the signature itself.
 */
import {
  UnauthorizedError,
  ConflictError,
  assertPublicKey,
  bareHex,
  checkPreparedAccount,
  checkPreparedFresh,
  checkPreparedShape,
  checkSubmitRequest,
  decodePreparedPayload,
  deadlineOf,
  fromHex,
  preparedMismatch,
  preparedTransaction,
  toHex,
  verifyDigest,
  whatOf,
  type CompactSignature,
  type KeyAlgorithm,
  type PreparedTransaction,
  type Receipt,
  type SubmitRequest,
  type WritePlan,
} from '@bsn/contract';
import { packTransaction, signatureText, signingDigest, unpackTransaction, type PackedAction } from './antelope/index.js';
import type { AccountCreator } from './account-creator.js';
import { accountNameOf } from './accounts.js';
import type { LocatedApp } from './apps.js';
import type { ResolvedConfig } from './config.js';
import { FRAMEWORK, MANIFEST } from './framework.js';
import { LIMITS } from './limits.js';
import type { PresetWrites } from './preset-writes.js';
import { chainSignature, recoveryOf } from './signing.js';

/** What the envelope carries between `prepare` and `submitPrepared`. */
interface PreparedPayload {
  /** The packed transaction, hex. */
  packed: string;
  /** Its expiration, ms since epoch. */
  expiresAt: number;
}

const sameAction = (a: PackedAction, b: PackedAction) =>
  a.account === b.account &&
  a.name === b.name &&
  JSON.stringify(a.authorization) === JSON.stringify(b.authorization) &&
  Buffer.from(a.data).equals(Buffer.from(b.data));

export class UserKeyWrites {
  constructor(
    private readonly writes: PresetWrites,
    private readonly config: ResolvedConfig,
    /** Whose key relays non-canonical K1 writes: the network's creator. */
    private readonly relayer: AccountCreator,
  ) {}

  async prepare(request: SubmitRequest, account: { publicKey: Uint8Array; algorithm: KeyAlgorithm }): Promise<PreparedTransaction> {
    const plan = checkSubmitRequest(request, LIMITS);
    const { algorithm, publicKey } = checkPreparedAccount(account, MANIFEST.keyAlgorithms, FRAMEWORK);
    assertPublicKey(algorithm, publicKey, '/account/publicKey');
    const { action } = await this.writes.action(plan, accountNameOf(algorithm, publicKey));
    // The transaction outlives the envelope, so a prepared write never expires on chain first.
    const lifetime = Math.ceil(this.config.preparedTtlMs / 1000) + 5;
    const { header, expiresAt } = await this.writes.txs.header(lifetime);
    const packed = packTransaction({ header, actions: [action] });
    return preparedTransaction<PreparedPayload>({
      request,
      algorithm,
      publicKey: toHex(publicKey),
      digest: toHex(signingDigest(this.config.chainId, packed)),
      payload: { packed: toHex(packed), expiresAt },
      ttlMs: this.config.preparedTtlMs,
    });
  }

  async submitPrepared(prepared: PreparedTransaction, signature: CompactSignature): Promise<Receipt> {
    checkPreparedShape(prepared);
    const plan = checkSubmitRequest(prepared.request, LIMITS);
    checkPreparedFresh(prepared);
    const { algorithm, publicKey } = checkPreparedAccount(
      { algorithm: prepared.algorithm, publicKey: fromHex(bareHex(prepared.publicKey)) },
      MANIFEST.keyAlgorithms,
      FRAMEWORK,
    );
    assertPublicKey(algorithm, publicKey, '/publicKey');
    const payload = decodePreparedPayload<PreparedPayload>(prepared);
    let packed: Uint8Array;
    let body: ReturnType<typeof unpackTransaction>;
    try {
      packed = fromHex(String(payload.packed));
      body = unpackTransaction(packed);
    } catch {
      throw preparedMismatch();
    }
    // The payload travelled through the client: it must hold exactly the action the request makes.
    const { app, action } = await this.writes.action(plan, accountNameOf(algorithm, publicKey));
    const digest = signingDigest(this.config.chainId, packed);
    if (
      body.actions.length !== 1 ||
      body.contextFreeActions !== 0 ||
      body.extensions !== 0 ||
      !sameAction(body.actions[0]!, action) ||
      toHex(digest) !== bareHex(prepared.digest)
    ) {
      throw preparedMismatch();
    }
    if (!(signature?.compact instanceof Uint8Array) || !verifyDigest(algorithm, publicKey, digest, signature.compact)) {
      throw new UnauthorizedError('the signature is not by the key the transaction was prepared for', {
        stage: 'sign',
        field: '/signature',
      });
    }
    const text = chainSignature(algorithm, publicKey, digest, signature);
    const ctx = { what: `${whatOf(plan)} (user key)` };
    const deadline = deadlineOf(plan, this.config.submitTimeoutMs);
    if (text) {
      return this.writes.finish(plan, app, async () =>
        this.writes.txs.final(await this.writes.txs.send(packed, [text], Number(payload.expiresAt), ctx), deadline, ctx),
      );
    }
    const recovery = signature.recovery ?? recoveryOf(algorithm, publicKey, digest, signature.compact);
    return this.relay(plan, app, packed, signatureText('K1', signature.compact, recovery));
  }

  /** Sends the client's transaction through the contract's `relay` action, signed by the relayer. */
  private async relay(plan: WritePlan, app: LocatedApp, packed: Uint8Array, signature: string): Promise<Receipt> {
    const relayer = this.relayer.creatorSigner;
    const account = this.config.creator?.account;
    if (!relayer || !account) {
      throw new ConflictError(
        'the node refuses this K1 signature (not canonical) and this network has no relayer: prepare the write again and sign the new digest',
        { stage: 'sign', field: '/signature' },
      );
    }
    const abi = await this.writes.abis.of(app.account);
    const data = abi.encodeAction('relay', { packed: toHex(packed), sig: signature });
    const action = { account: app.account, name: 'relay', authorization: [{ actor: account, permission: 'active' }], data };
    return this.writes.finish(plan, app, () =>
      this.writes.txs.submit([action], relayer, { what: `${whatOf(plan)} (user key, relayed)` }, plan.timeoutMs),
    );
  }
}
