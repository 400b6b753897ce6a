/**
 * User-key mode on Ethereum: the digest the user's key signs is the hash of the unsigned
 * EIP-1559 transaction itself, so the signed transaction is the user's own, sent with the
 * nonce it was prepared for. The adapter never holds the key.
 */
import { Transaction, getAddress, getBytes, isAddress } from 'ethers';
import {
  bareHex,
  checkPreparedAccount,
  checkPreparedFresh,
  checkPreparedShape,
  checkSubmitRequest,
  deadlineOf,
  decodePreparedPayload,
  preparedMismatch,
  preparedTransaction,
  whatOf,
  type CompactSignature,
  type KeyAlgorithm,
  type PreparedTransaction,
  type Receipt,
  type SubmitRequest,
} from '@bsn/contract';
import { FRAMEWORK } from './describe.js';
import { toBsnError } from './errors.js';
import { LIMITS } from './limits.js';
import type { AdapterParts } from './parts.js';
import { alreadyExecuted, firstReceipt } from './request-record.js';
import { ACCOUNT_ALGORITHM, addressOf, ethereumSignature, uncompressedPublicKey } from './signer-bridge.js';
import { resolveWrite, writeReceipt } from './write-plan.js';

export type UserKeyDeps = Pick<AdapterParts, 'config' | 'chain' | 'finality' | 'sender' | 'nonces' | 'registry'>;

/** What the payload carries between prepare and submitPrepared. */
interface PreparedPayload {
  v: 1;
  chainId: number;
  from: string;
  to: string;
  /** The unsigned EIP-1559 transaction, serialised (its keccak256 is the digest). */
  tx: string;
}

export async function prepareUserTransaction(
  d: UserKeyDeps,
  request: SubmitRequest,
  account: { publicKey: Uint8Array; algorithm: KeyAlgorithm },
): Promise<PreparedTransaction> {
  const plan = checkSubmitRequest(request, LIMITS);
  const { publicKey } = checkPreparedAccount(account, [ACCOUNT_ALGORITHM], FRAMEWORK);
  const uncompressed = uncompressedPublicKey(publicKey, '/account/publicKey');
  const from = addressOf(publicKey, '/account/publicKey');
  const w = await resolveWrite(plan, d.registry);
  // Fails early (ConflictError) for a request id already used with other content.
  const first = await firstReceipt(d, w, from, deadlineOf(plan, d.config.submitTimeoutMs));
  const nonce = await d.chain.nonce(from, 'pending');
  // An id that already ran needs no gas: submitPrepared answers with the first receipt.
  const unsigned = first
    ? Transaction.from({
        type: 2,
        chainId: BigInt(d.config.chainId),
        nonce,
        to: w.app.address,
        data: w.data,
        gasLimit: 0n,
        maxFeePerGas: 0n,
        maxPriorityFeePerGas: 0n,
      })
    : await d.sender.unsigned(from, { to: w.app.address, data: w.data, what: whatOf(plan) }, nonce);
  const payload: PreparedPayload = { v: 1, chainId: d.config.chainId, from, to: w.app.address, tx: unsigned.unsignedSerialized };
  return preparedTransaction({
    request,
    algorithm: ACCOUNT_ALGORITHM,
    publicKey: uncompressed.slice(2),
    digest: unsigned.unsignedHash,
    payload,
    ttlMs: d.config.preparedTtlMs,
  });
}

export async function submitUserTransaction(d: UserKeyDeps, prepared: PreparedTransaction, signature: CompactSignature): Promise<Receipt> {
  checkPreparedShape(prepared);
  const plan = checkSubmitRequest(prepared.request, LIMITS);
  checkPreparedFresh(prepared);
  const payload = decodePreparedPayload<PreparedPayload>(prepared);
  const tx = unsignedTransactionOf(payload);
  const w = await resolveWrite(plan, d.registry);
  const from = addressOf(getBytes('0x' + bareHex(prepared.publicKey)), '/publicKey');
  if (
    payload.v !== 1 ||
    payload.chainId !== d.config.chainId ||
    tx.chainId !== BigInt(d.config.chainId) ||
    !isAddress(payload.from) ||
    getAddress(payload.from) !== from ||
    tx.to !== w.app.address ||
    tx.data !== w.data ||
    bareHex(tx.unsignedHash) !== bareHex(prepared.digest)
  ) {
    throw preparedMismatch();
  }
  const signed = tx.clone();
  signed.signature = ethereumSignature(tx.unsignedHash, signature, from);
  const deadline = deadlineOf(plan, d.config.submitTimeoutMs);
  const first = await firstReceipt(d, w, from, deadline);
  if (first) return first;
  const what = whatOf(plan);
  try {
    await d.nonces.sendFixed(from, tx.nonce, { hash: signed.hash!, raw: signed.serialized });
    const raw = await d.sender.await(
      signed.hash!,
      { to: w.app.address, data: w.data, from, gasLimit: tx.gasLimit, what },
      'final',
      deadline,
    );
    return await writeReceipt(d.chain, w, raw);
  } catch (error) {
    if (alreadyExecuted(error)) {
      const again = await firstReceipt(d, w, from, deadline);
      if (again) return again;
    }
    throw toBsnError(error, { stage: 'submit', what });
  }
}

function unsignedTransactionOf(payload: PreparedPayload): Transaction {
  try {
    return Transaction.from(payload.tx);
  } catch {
    throw preparedMismatch();
  }
}
