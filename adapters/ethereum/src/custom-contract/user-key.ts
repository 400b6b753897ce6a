/**
 * User-key mode for apps that bring their own contract: as for preset apps (../user-key.ts),
 * the user's key signs the hash of the unsigned EIP-1559 transaction itself — here a call of
 * the app's proxy through `bsnRequest`, so the prepared write is idempotent on its request id.
 */
import { Transaction, getAddress, getBytes, isAddress, keccak256, toUtf8Bytes } from 'ethers';
import {
  bareHex,
  checkArgs,
  checkMethod,
  checkPreparedAccount,
  checkPreparedFresh,
  checkPreparedShape,
  checkRequestId,
  checkRequestObject,
  decodePreparedPayload,
  preparedMismatch,
  preparedTransaction,
  type CompactSignature,
  type KeyAlgorithm,
  type PreparedTransaction,
  type Receipt,
  type SubmitRequest,
} from '@bsn/contract';
import { FRAMEWORK } from '../describe.js';
import { toBsnError } from '../errors.js';
import type { AdapterParts } from '../parts.js';
import { ACCOUNT_ALGORITHM, addressOf, ethereumSignature, uncompressedPublicKey } from '../signer-bridge.js';
import { invalidInput } from '../validation.js';
import { customError } from './errors.js';
import { bsnRequestData, type CustomAppGateway, type CustomCall } from './gateway.js';

export type CustomUserKeyDeps = Pick<AdapterParts, 'config' | 'chain' | 'sender' | 'nonces'> & { gateway: CustomAppGateway };

interface PreparedPayload {
  v: 1;
  kind: 'custom';
  chainId: number;
  from: string;
  to: string;
  tx: string;
}

/** The request's call on its app, checked and bound by the app's ABI, with the proxy calldata that runs it once. */
async function bound(
  d: CustomUserKeyDeps,
  request: SubmitRequest,
): Promise<{ call: CustomCall; requestId: string; requestKey: string; data: string }> {
  checkRequestObject(request);
  const requestId = checkRequestId(request.requestId);
  const method = checkMethod(request.method);
  const call = await d.gateway.bind(request.app.appId, method, checkArgs(request.args));
  if (call.fn.constant) invalidInput('/method', `${method} only reads (${call.fn.stateMutability}): use evaluate`);
  const requestKey = keccak256(toUtf8Bytes(requestId));
  return { call, requestId, requestKey, data: bsnRequestData(requestKey, call.data) };
}

export async function prepareCustomTransaction(
  d: CustomUserKeyDeps,
  request: SubmitRequest,
  account: { publicKey: Uint8Array; algorithm: KeyAlgorithm },
): Promise<PreparedTransaction> {
  const { publicKey } = checkPreparedAccount(account, [ACCOUNT_ALGORITHM], FRAMEWORK);
  const uncompressed = uncompressedPublicKey(publicKey, '/account/publicKey');
  const from = addressOf(publicKey, '/account/publicKey');
  const { call, requestId, requestKey, data } = await bound(d, request);
  const deadline = Date.now() + d.config.submitTimeoutMs;
  // ConflictError now for an id used with other content; an id that ran needs no gas.
  const first = await d.gateway.firstReceipt(undefined, call, requestId, requestKey, from, deadline);
  const nonce = await d.chain.nonce(from, 'pending');
  const to = call.app.address;
  let unsigned: Transaction;
  if (first) {
    unsigned = Transaction.from({
      type: 2,
      chainId: BigInt(d.config.chainId),
      nonce,
      to,
      data,
      gasLimit: 0n,
      maxFeePerGas: 0n,
      maxPriorityFeePerGas: 0n,
    });
  } else {
    try {
      unsigned = await d.sender.unsigned(from, { to, data, what: `${call.fn.name} on ${call.app.appId}` }, nonce);
    } catch (error) {
      throw customError(
        error,
        call.versions.map((v) => v.abi),
      );
    }
  }
  const payload: PreparedPayload = { v: 1, kind: 'custom', chainId: d.config.chainId, from, to, tx: unsigned.unsignedSerialized };
  return preparedTransaction({
    request,
    algorithm: ACCOUNT_ALGORITHM,
    publicKey: uncompressed.slice(2),
    digest: unsigned.unsignedHash,
    payload,
    ttlMs: d.config.preparedTtlMs,
  });
}

export async function submitCustomTransaction(
  d: CustomUserKeyDeps,
  prepared: PreparedTransaction,
  signature: CompactSignature,
): Promise<Receipt> {
  checkPreparedShape(prepared);
  checkPreparedFresh(prepared);
  const payload = decodePreparedPayload<PreparedPayload>(prepared);
  let tx: Transaction;
  try {
    tx = Transaction.from(payload.tx);
  } catch {
    throw preparedMismatch();
  }
  const { call, requestId, requestKey, data } = await bound(d, prepared.request);
  const from = addressOf(getBytes('0x' + bareHex(prepared.publicKey)), '/publicKey');
  if (
    payload.v !== 1 ||
    payload.kind !== 'custom' ||
    payload.chainId !== d.config.chainId ||
    tx.chainId !== BigInt(d.config.chainId) ||
    !isAddress(payload.from) ||
    getAddress(payload.from) !== from ||
    tx.to !== call.app.address ||
    tx.data !== data ||
    bareHex(tx.unsignedHash) !== bareHex(prepared.digest)
  )
    throw preparedMismatch();
  const signed = tx.clone();
  // Refuses (UnauthorizedError) a signature by any key but the prepared account's.
  signed.signature = ethereumSignature(tx.unsignedHash, signature, from);
  const deadline = Date.now() + d.config.submitTimeoutMs;
  const first = await d.gateway.firstReceipt(undefined, call, requestId, requestKey, from, deadline);
  if (first) return first;
  const what = `${call.fn.name} on ${call.app.appId}`;
  try {
    await d.nonces.sendFixed(from, tx.nonce, { hash: signed.hash!, raw: signed.serialized });
    const raw = await d.sender.await(signed.hash!, { to: call.app.address, data, from, gasLimit: tx.gasLimit, what }, 'final', deadline);
    return await d.gateway.receipt(call, requestId, raw);
  } catch (error) {
    const again = await d.gateway.firstReceipt(error, call, requestId, requestKey, from, deadline).catch(() => undefined);
    if (again) return again;
    throw customError(
      toBsnError(error, { stage: 'submit', what }),
      call.versions.map((v) => v.abi),
    );
  }
}
