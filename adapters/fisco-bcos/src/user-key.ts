import {
  ConflictError,
  UnauthorizedError,
  bareHex,
  checkPreparedAccount,
  checkPreparedFresh,
  checkPreparedShape,
  checkSubmitRequest,
  decodePreparedPayload,
  deadlineOf,
  isBsnError,
  preparedMismatch,
  preparedTransaction,
  recoverPublicKey,
  verifyDigest,
  whatOf,
  type CompactSignature,
  type KeyAlgorithm,
  type PreparedTransaction,
  type Receipt,
  type SubmitRequest,
} from '@bsn/contract';
import { checkChainAlgorithm, chainAccount } from './accounts.js';
import type { ChainContext } from './chain-context.js';
import { LIMITS } from './limits.js';
import type { PresetWrites } from './preset-writes.js';
import { assembleTransaction, digestsOf } from './protocol/sign-transaction.js';
import { TransactionStatus } from './protocol/transaction-status.js';
import type { TransactionData } from './protocol/transaction.js';

/** The transaction a user-key client signs, carried in the envelope's payload. */
interface PreparedPayload {
  chainId: string;
  groupId: string;
  blockLimit: string;
  nonce: string;
  to: string;
  /** hex */
  input: string;
}

/**
 * User-key mode: `prepare` builds the FISCO transaction for the client's account and hands out
 * the digest its key signs (the hash itself on a standard chain, SM3(Z_A ‖ hash) on an SM
 * chain); `submitPrepared` rebuilds the transaction from the request, checks the payload, the
 * digest and the signature against the prepared key (another key is UnauthorizedError, and
 * nothing is sent), completes the wire signature and relays it.
 */
export class UserKeyWrites {
  constructor(
    private readonly c: ChainContext,
    private readonly writes: PresetWrites,
  ) {}

  async prepare(request: SubmitRequest, account: { publicKey: Uint8Array; algorithm: KeyAlgorithm }): Promise<PreparedTransaction> {
    const plan = checkSubmitRequest(request, LIMITS);
    const { publicKey, algorithm } = checkPreparedAccount(account, [this.c.suite.algorithm], 'fisco-bcos');
    chainAccount(this.c.suite, publicKey, algorithm, '/account/publicKey');
    const app = await this.c.apps.get(plan.appId);
    const data = await this.c.txs.dataFor(app.address, this.writes.inputOf(plan));
    const { digest } = digestsOf(this.c.suite, data, publicKey);
    return preparedTransaction<PreparedPayload>({
      request,
      algorithm,
      publicKey: Buffer.from(publicKey).toString('hex'),
      digest: Buffer.from(digest).toString('hex'),
      payload: {
        chainId: data.chainId,
        groupId: data.groupId,
        blockLimit: data.blockLimit.toString(),
        nonce: data.nonce,
        to: data.to,
        input: Buffer.from(data.input).toString('hex'),
      },
      ttlMs: this.c.config.preparedTtlMs,
    });
  }

  async submitPrepared(prepared: PreparedTransaction, signature: CompactSignature): Promise<Receipt> {
    checkPreparedShape(prepared);
    const plan = checkSubmitRequest(prepared.request, LIMITS);
    checkPreparedFresh(prepared);
    checkChainAlgorithm(this.c.suite, prepared.algorithm, '/algorithm');
    const publicKey = Uint8Array.from(Buffer.from(bareHex(prepared.publicKey), 'hex'));
    const account = chainAccount(this.c.suite, publicKey, prepared.algorithm, '/publicKey');
    const app = await this.c.apps.get(plan.appId);
    const p = decodePreparedPayload<PreparedPayload>(prepared);
    // The payload travelled through the client: it must be what this request makes, for this chain.
    const input = this.writes.inputOf(plan);
    if (
      p?.chainId !== this.c.config.chainId ||
      p.groupId !== this.c.config.groupId ||
      p.to !== app.address.slice(2) ||
      p.input !== Buffer.from(input).toString('hex') ||
      !/^\d{1,20}$/.test(String(p.blockLimit)) ||
      typeof p.nonce !== 'string'
    ) {
      throw preparedMismatch();
    }
    const data: TransactionData = {
      version: 0,
      chainId: p.chainId,
      groupId: p.groupId,
      blockLimit: BigInt(p.blockLimit),
      nonce: p.nonce,
      to: p.to,
      input,
      abi: '',
    };
    const { hash, digest } = digestsOf(this.c.suite, data, publicKey);
    if (Buffer.from(digest).toString('hex') !== bareHex(prepared.digest)) throw preparedMismatch();
    const compact = signature?.compact;
    if (!(compact instanceof Uint8Array) || !verifyDigest(prepared.algorithm, publicKey, digest, compact)) {
      throw new UnauthorizedError('the signature is not by the key the transaction was prepared for', {
        stage: 'sign',
        field: '/signature',
      });
    }
    const recovery = this.c.suite.mode === 'sm' ? undefined : recoveryOf(digest, compact, publicKey, signature.recovery);
    const signed = assembleTransaction(this.c.suite, data, hash, compact, recovery, publicKey);
    const what = `${whatOf(plan)} (user key)`;
    try {
      const receipt = await this.c.txs.send(signed, what, deadlineOf(plan, this.c.config.submitTimeoutMs));
      return await this.writes.settle(receipt, plan, app, account.id, input);
    } catch (error) {
      if (isBsnError(error) && error.detail?.code === TransactionStatus.BlockLimitCheckFail) {
        throw new ConflictError(`${what}: the prepared transaction's blockLimit has passed: prepare it again`, {
          stage: 'submit',
          field: '/payload',
          txId: signed.hash,
        });
      }
      throw error;
    }
  }
}

/** The recovery id under which `compact` recovers `publicKey` (a client may leave it out). */
function recoveryOf(digest: Uint8Array, compact: Uint8Array, publicKey: Uint8Array, given?: number): number {
  const candidates = given === undefined ? [0, 1, 2, 3] : [given, 0, 1, 2, 3];
  for (const v of candidates) {
    const recovered = recoverPublicKey('secp256k1', digest, compact, v);
    if (recovered && Buffer.from(recovered).equals(Buffer.from(publicKey))) return v;
  }
  throw new UnauthorizedError('the signature recovers no key: it is not a low-S secp256k1 signature of the digest', {
    stage: 'sign',
    field: '/signature',
  });
}
