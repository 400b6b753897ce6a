import { connect, hash, type Gateway } from '@hyperledger/fabric-gateway';
import {
  ConflictError,
  InvalidInputError,
  NotFoundError,
  TimeoutError,
  checkPreparedAccount,
  checkSubmitRequest,
  isBsnError,
  type CompactSignature,
  type KeyAlgorithm,
  type Receipt,
  type SubmitRequest,
} from '@bsn/contract';
import type { CertificateAuthority } from './certificates.js';
import type { ResolvedConfig } from './config.js';
import type { FabricConnection } from './connection.js';
import { FRAMEWORK } from './describe.js';
import { toBsnError } from './errors.js';
import { writeArgs } from './gateway.js';
import type { Ledger } from './ledger.js';
import { LIMITS } from './limits.js';
import { KEY_ALGORITHMS, checkPublicKey, derSignature } from './signer-bridge.js';
import type { Transactor } from './transactions.js';

/** One step of Fabric's own client-signed flow: bytes the client's key must sign, by digest. */
export interface NativeStep {
  kind: 'proposal' | 'transaction';
  txId: string;
  requestId: string;
  appId: string;
  /** The account's public key (uncompressed P-256, hex): the creator the steps are built for. */
  publicKey: string;
  /** base64 of the serialized proposal / prepared transaction. */
  bytes: string;
  /** SHA-256 of what the creator signs, hex: sign it with `Signer.signDigest`. */
  digest: string;
  expiresAt: number;
}

const POLL_MS = 200;

/**
 * Fabric's native client-signed flow with a BSN key, for clients that can sign more than once
 * (an extension beside the standard's one-digest user-key mode, see user-key.ts): the creator
 * of the transaction is the client's own MSP identity and the client signs both the proposal
 * and the transaction envelope, through fabric-gateway's offline signing:
 *
 * 1. `proposal(request, account)` → digest of the unsigned proposal (`newProposal`, `getDigest`);
 * 2. `endorse(step, signature)` → `newSignedProposal` + `endorse` (the peers check the signature
 *    and run the chaincode as the client) → the digest of the unsigned transaction; or, for a
 *    request id that already ran, the first receipt;
 * 3. `submit(step, signature)` → `newSignedTransaction` + `submit` to the orderer; commit is then
 *    read from the ledger (qscc) rather than through a third, client-signed commit-status request.
 */
export class NativeUserKey {
  constructor(
    private readonly d: {
      config: ResolvedConfig;
      connection: FabricConnection;
      ca: CertificateAuthority;
      ledger: Ledger;
      transactor: Transactor;
    },
  ) {}

  private async offline(publicKeyHex: string): Promise<Gateway> {
    const publicKey = checkPublicKey(Uint8Array.from(Buffer.from(publicKeyHex, 'hex')), '/publicKey');
    const certificate = await this.d.ca.certificateFor(publicKey);
    return connect({
      client: this.d.connection.client,
      identity: { mspId: this.d.config.org.mspId, credentials: Buffer.from(certificate) },
      hash: hash.sha256,
    });
  }

  private static checkStep(step: NativeStep, kind: NativeStep['kind']): void {
    if (
      typeof step !== 'object' ||
      step === null ||
      step.kind !== kind ||
      typeof step.bytes !== 'string' ||
      typeof step.publicKey !== 'string'
    ) {
      throw new InvalidInputError(`expected the ${kind} step this adapter produced`, { field: '/step' });
    }
    if (Date.now() > step.expiresAt)
      throw new ConflictError('the step has expired: start again with proposal()', { stage: 'validate', field: '/expiresAt' });
  }

  async proposal(request: SubmitRequest, account: { publicKey: Uint8Array; algorithm: KeyAlgorithm }): Promise<NativeStep> {
    const plan = checkSubmitRequest(request, LIMITS);
    checkPreparedAccount(account, KEY_ALGORITHMS, 'Fabric');
    const publicKey = Buffer.from(checkPublicKey(account.publicKey, '/account/publicKey')).toString('hex');
    const gateway = await this.offline(publicKey);
    const proposal = gateway
      .getNetwork(this.d.config.channel)
      .getContract(this.d.config.chaincode)
      .newProposal(plan.method, { arguments: writeArgs(plan) });
    const signable = proposal as unknown as { getBytes(): Uint8Array; getDigest(): Uint8Array };
    return {
      kind: 'proposal',
      txId: proposal.getTransactionId(),
      requestId: plan.requestId,
      appId: plan.appId,
      publicKey,
      bytes: Buffer.from(signable.getBytes()).toString('base64'),
      digest: Buffer.from(signable.getDigest()).toString('hex'),
      expiresAt: Date.now() + this.d.config.preparedTtlMs,
    };
  }

  async endorse(step: NativeStep, signature: CompactSignature): Promise<NativeStep | Receipt> {
    NativeUserKey.checkStep(step, 'proposal');
    const gateway = await this.offline(step.publicKey);
    const proposal = gateway.newSignedProposal(Buffer.from(step.bytes, 'base64'), derSignature(signature.compact));
    let transaction;
    try {
      transaction = await proposal.endorse({ deadline: Date.now() + this.d.config.endorseTimeoutMs });
    } catch (error) {
      throw toBsnError(error, { stage: 'endorse', what: `endorsing ${step.txId}`, txId: step.txId });
    }
    const answer = JSON.parse(Buffer.from(transaction.getResult()).toString('utf8')) as { txId: string; duplicate: boolean };
    if (answer.duplicate)
      return this.d.transactor.receiptOf(await this.d.transactor.committed(answer.txId, `request ${step.requestId}`), step.requestId);
    const signable = transaction as unknown as { getBytes(): Uint8Array; getDigest(): Uint8Array };
    return {
      ...step,
      kind: 'transaction',
      bytes: Buffer.from(signable.getBytes()).toString('base64'),
      digest: Buffer.from(signable.getDigest()).toString('hex'),
    };
  }

  async submit(step: NativeStep, signature: CompactSignature, timeoutMs = this.d.config.submitTimeoutMs): Promise<Receipt> {
    NativeUserKey.checkStep(step, 'transaction');
    const gateway = await this.offline(step.publicKey);
    const transaction = gateway.newSignedTransaction(Buffer.from(step.bytes, 'base64'), derSignature(signature.compact));
    const deadline = Date.now() + timeoutMs;
    try {
      await transaction.submit({ deadline });
    } catch (error) {
      throw toBsnError(error, { stage: 'submit', what: `submitting ${step.txId}`, txId: step.txId });
    }
    for (;;) {
      try {
        return this.d.transactor.receiptOf(await this.d.transactor.committed(step.txId, `transaction ${step.txId}`), step.requestId);
      } catch (error) {
        if (!isBsnError(error, 'NOT_FOUND') && !(error instanceof NotFoundError)) throw error;
      }
      if (Date.now() > deadline) {
        throw new TimeoutError(`transaction ${step.txId} is not on the ledger yet (outcome unknown)`, {
          stage: 'commit',
          txId: step.txId,
          detail: { framework: FRAMEWORK },
        });
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
}
