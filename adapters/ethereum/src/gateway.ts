import { Transaction, concat, getAddress, getBytes, keccak256, toUtf8Bytes } from 'ethers';
import { ConflictError, InvalidInputError, NotFoundError, UnavailableError, isBsnError, type BlockInfo, type ChainEvent, type CompactSignature, type EvaluateRequest, type EvaluateResult, type EventsRequest, type Gateway, type HealthReport, type KeyAlgorithm, type PreparedTransaction, type Receipt, type Signer, type SubmitRequest, type TransactionInfo } from '@bsn/contract';
import { METHOD_OF_FUNCTION, PRESET_FUNCTIONS, TOPICS, appInterface, type PresetMethod } from './abi.js';
import { num, type ChainReader, type RawReceipt } from './chain.js';
import type { ResolvedConfig } from './config.js';
import { FRAMEWORK, toBsnError } from './errors.js';
import { appEventsOf, eventStream } from './events.js';
import { liveValue } from './kv-log.js';
import type { Finality } from './finality.js';
import type { NonceManager } from './nonce-manager.js';
import type { AppLocation, Registry } from './registry.js';
import { addressOf, checkAlgorithm, ethereumSignature, uncompressedPublicKey } from './signer-bridge.js';
import type { TxSender } from './transactions.js';
import {
  checkAppRef, checkArgs, checkBlockRef, checkKey, checkMethod, checkRequestId, checkTimeout, checkTxId, checkValue,
} from './validation.js';

export interface GatewayDeps {
  config: ResolvedConfig;
  chain: ChainReader;
  finality: Finality;
  sender: TxSender;
  nonces: NonceManager;
  registry: Registry;
}

/** A write, validated, before its app is resolved. */
export interface WritePlan {
  appId: string;
  requestId: string;
  method: PresetMethod;
  /** Solidity arguments after the request key. */
  fnArgs: unknown[];
  timeoutMs?: number;
}

interface ResolvedWrite extends WritePlan {
  app: AppLocation;
  requestKey: string;
  data: string;
}

/** What the app contract recorded for a request key (`requestOf`). */
interface RequestRecord {
  /** First 24 bytes of keccak256(sender ‖ calldata), hex. */
  contentHash: string;
  /** Block that executed it; 0: never executed. */
  blockNumber: bigint;
}

/** What the user-key payload carries between prepare and submitPrepared (base64 JSON). */
interface PreparedPayload {
  v: 1;
  chainId: number;
  from: string;
  to: string;
  /** The unsigned EIP-1559 transaction, serialised (its keccak256 is the digest). */
  tx: string;
}

/** keccak256 of the request id's UTF-8: what the app contract records as executed. */
export const requestKeyOf = (requestId: string): string => keccak256(toUtf8Bytes(requestId));

/**
 * Validates generic invocation arguments against the preset contract's method table:
 * strings where Solidity takes `string` (keys, checked as preset keys), byte arrays where it
 * takes `bytes` (values). Field pointers name the argument (`/args/1`).
 */
export function presetArgs(method: string, args: unknown, write: boolean): { method: PresetMethod; fnArgs: unknown[] } {
  const spec = (PRESET_FUNCTIONS as Record<string, (typeof PRESET_FUNCTIONS)[PresetMethod]>)[method];
  if (!spec || !Object.hasOwn(PRESET_FUNCTIONS, method)) {
    throw new InvalidInputError(`the preset contract has no method ${JSON.stringify(method)} (it has ${Object.keys(PRESET_FUNCTIONS).join(', ')})`, { field: '/method' });
  }
  if (spec.write !== write) {
    throw new InvalidInputError(
      write ? `${method} only reads: use evaluate` : `${method} writes: use submit (evaluate never writes)`,
      { field: '/method' },
    );
  }
  const list = checkArgs(args);
  spec.params.forEach((type, i) => {
    const field = `/args/${i}`;
    if (type === 'string') {
      if (typeof list[i] !== 'string') throw new InvalidInputError(`argument ${i} of ${method} is a string (the key)`, { field });
      checkKey(list[i], field);
    } else {
      if (!(list[i] instanceof Uint8Array)) throw new InvalidInputError(`argument ${i} of ${method} is bytes (the value)`, { field });
      checkValue(list[i], field);
    }
  });
  if (list.length !== spec.params.length) {
    throw new InvalidInputError(`${method} takes ${spec.params.length} argument(s), not ${list.length}`, { field: '/args' });
  }
  return { method: method as PresetMethod, fnArgs: list };
}

export class EthereumGateway implements Gateway {
  constructor(private readonly d: GatewayDeps) {}

  // ------------------------------------------------------------------ writes

  private planOf(request: SubmitRequest): WritePlan {
    if (typeof request !== 'object' || request === null) throw new InvalidInputError('a request is an object', { field: '' });
    const requestId = checkRequestId(request.requestId);
    const appId = checkAppRef(request.app);
    const method = checkMethod(request.method);
    const timeoutMs = checkTimeout(request.timeoutMs);
    const { fnArgs } = presetArgs(method, request.args, true);
    return { appId, requestId, method: method as PresetMethod, fnArgs, ...(timeoutMs && { timeoutMs }) };
  }

  private async resolve(plan: WritePlan): Promise<ResolvedWrite> {
    const app = await this.d.registry.resolve(plan.appId);
    const requestKey = requestKeyOf(plan.requestId);
    const data = appInterface.encodeFunctionData(PRESET_FUNCTIONS[plan.method].fn, [requestKey, ...plan.fnArgs]);
    return { ...plan, app, requestKey, data };
  }

  private deadline(plan: WritePlan): number {
    return Date.now() + (plan.timeoutMs ?? this.d.config.submitTimeoutMs);
  }

  /**
   * The receipt of an earlier execution of this request id, once final; ConflictError when
   * the id was used for other content (another method, other arguments or another sender);
   * undefined when the id was never executed.
   */
  private async earlier(w: ResolvedWrite, from: string, deadline: number, recorded?: RequestRecord): Promise<Receipt | undefined> {
    let contentHash: string;
    let blockNumber: bigint;
    if (recorded) {
      ({ contentHash, blockNumber } = recorded);
    } else {
      let out: string;
      try {
        out = await this.d.chain.call({ to: w.app.address, data: appInterface.encodeFunctionData('requestOf', [w.requestKey]) });
      } catch (error) {
        throw toBsnError(error, { stage: 'query', what: 'checking the request id' });
      }
      // The contract keeps the first 24 bytes of keccak256(sender ‖ calldata).
      [contentHash, blockNumber] = appInterface.decodeFunctionResult('requestOf', out) as unknown as [string, bigint];
    }
    if (blockNumber === 0n) return undefined;
    const logs = await this.d.chain.logs({
      address: w.app.address, topics: [TOPICS.requestExecuted, w.requestKey], fromBlock: Number(blockNumber), toBlock: Number(blockNumber),
    });
    const txId = logs[0]?.transactionHash;
    const mine = keccak256(concat([from, w.data]));
    if (contentHash.toLowerCase() !== mine.slice(0, 2 + 48).toLowerCase()) {
      throw new ConflictError(`request id ${JSON.stringify(w.requestId)} was already used for a different request${txId ? ` (tx ${txId})` : ''}`, {
        stage: 'validate',
        field: '/requestId',
        ...(txId && { txId }),
        detail: { framework: FRAMEWORK, message: 'request id reused with different content', data: { requestKey: w.requestKey, recorded: contentHash, submitted: mine, ...(txId && { txId }) } },
      });
    }
    if (!txId) {
      throw new UnavailableError(`the node has no RequestExecuted log for request ${w.requestId} in block ${blockNumber} (are its logs pruned?)`, {
        stage: 'query', detail: { framework: FRAMEWORK, data: { requestKey: w.requestKey, block: Number(blockNumber) } },
      });
    }
    const receipt = await this.d.finality.final(txId, deadline);
    return this.receiptOf(w, receipt);
  }

  private async receiptOf(w: ResolvedWrite, raw: RawReceipt): Promise<Receipt> {
    const number = num(raw.blockNumber);
    return {
      txId: raw.transactionHash,
      requestId: w.requestId,
      status: 'committed',
      block: { number, hash: raw.blockHash },
      events: appEventsOf(raw.logs, w.app),
      timestamp: await this.d.chain.timestampMs(number, raw.blockHash),
    };
  }

  private static alreadyExecuted(error: unknown): boolean {
    const revert = (error as { detail?: { data?: { revert?: { name?: string } } } })?.detail?.data?.revert;
    return isBsnError(error) && revert?.name === 'RequestAlreadyExecuted';
  }

  /** What a `RequestAlreadyExecuted(requestKey, contentHash, blockNumber)` revert says the contract recorded for `w`. */
  private static recordIn(error: unknown, w: ResolvedWrite): RequestRecord | undefined {
    const args = (error as { detail?: { data?: { revert?: { args?: Record<string, unknown> } } } })?.detail?.data?.revert?.args;
    if (!EthereumGateway.alreadyExecuted(error) || !args) return undefined;
    const { requestKey, contentHash, blockNumber } = args;
    if (typeof requestKey !== 'string' || requestKey.toLowerCase() !== w.requestKey.toLowerCase()) return undefined;
    if (typeof contentHash !== 'string' || !/^0x[0-9a-fA-F]{48}$/.test(contentHash)) return undefined;
    if (typeof blockNumber !== 'string' || !/^[0-9]+$/.test(blockNumber)) return undefined;
    return { contentHash, blockNumber: BigInt(blockNumber) };
  }

  /**
   * A failed hosted-key write may be a request id that was already executed: the contract
   * refuses to execute it twice (RequestAlreadyExecuted, at estimation or, for a concurrent
   * submit of the same id that won the race, on chain), and a refusal it checks first (the
   * sender is no longer a member, the app is frozen) can hide an executed id. Answers with
   * the first receipt (or the ConflictError of an id used for other content), else undefined.
   * Unreachable nodes and deadlines are not looked behind: asking again would fail the same.
   */
  private async earlierBehind(error: unknown, w: ResolvedWrite, from: string, deadline: number): Promise<Receipt | undefined> {
    if (EthereumGateway.alreadyExecuted(error)) return this.earlier(w, from, deadline, EthereumGateway.recordIn(error, w));
    if (!isBsnError(error) || isBsnError(error, 'UNAVAILABLE') || isBsnError(error, 'TIMEOUT')) return undefined;
    try {
      return await this.earlier(w, from, deadline);
    } catch (lookup) {
      if (isBsnError(lookup, 'CONFLICT')) throw lookup;
      return undefined; // the write's own error says more than a failed look-up
    }
  }

  /**
   * Submits a validated write (hosted-key mode); used by `submit` and by the preset KV API.
   * The request id is not read before sending: the gas estimation runs the contract, which
   * refuses an executed id with what it recorded (RequestAlreadyExecuted), and that refusal —
   * or any other — is looked behind by `earlierBehind`, so a repeated id still returns the
   * first receipt and writes nothing, at one round trip less per new write.
   */
  async submitPlan(plan: WritePlan, signer: Signer): Promise<Receipt> {
    checkAlgorithm(signer?.algorithm, '/signer/algorithm');
    const from = addressOf(signer.publicKey, '/signer/publicKey');
    const w = await this.resolve(plan);
    const deadline = this.deadline(plan);
    try {
      const raw = await this.d.sender.send({ to: w.app.address, data: w.data, what: `${plan.method} on ${plan.appId}` }, signer, {
        wait: 'final', timeoutMs: deadline - Date.now(),
      });
      return await this.receiptOf(w, raw);
    } catch (error) {
      const first = await this.earlierBehind(error, w, from, deadline);
      if (first) return first;
      throw toBsnError(error, { stage: 'submit', what: `${plan.method} on ${plan.appId}` });
    }
  }

  async submit(request: SubmitRequest, signer: Signer): Promise<Receipt> {
    return this.submitPlan(this.planOf(request), signer);
  }

  async prepare(request: SubmitRequest, account: { publicKey: Uint8Array; algorithm: KeyAlgorithm }): Promise<PreparedTransaction> {
    const plan = this.planOf(request);
    if (typeof account !== 'object' || account === null) throw new InvalidInputError('account is { publicKey, algorithm }', { field: '/account' });
    checkAlgorithm(account.algorithm, '/account/algorithm');
    const publicKey = uncompressedPublicKey(account.publicKey, '/account/publicKey');
    const from = addressOf(account.publicKey, '/account/publicKey');
    const w = await this.resolve(plan);
    // Fails early (ConflictError) for a request id already used with other content.
    const first = await this.earlier(w, from, this.deadline(plan));
    const nonce = await this.d.chain.nonce(from, 'pending');
    const what = `${plan.method} on ${plan.appId}`;
    // An id that already ran needs no gas: submitPrepared answers with the first receipt.
    const unsigned = first
      ? Transaction.from({ type: 2, chainId: BigInt(this.d.config.chainId), nonce, to: w.app.address, data: w.data, gasLimit: 0n, maxFeePerGas: 0n, maxPriorityFeePerGas: 0n })
      : await this.d.sender.unsigned(from, { to: w.app.address, data: w.data, what }, nonce);
    const payload: PreparedPayload = { v: 1, chainId: this.d.config.chainId, from, to: w.app.address, tx: unsigned.unsignedSerialized };
    return {
      request: { ...request, args: [...request.args] },
      algorithm: 'secp256k1',
      publicKey: publicKey.slice(2),
      digest: unsigned.unsignedHash,
      payload: Buffer.from(JSON.stringify(payload)).toString('base64'),
      expiresAt: Date.now() + this.d.config.preparedTtlMs,
    };
  }

  async submitPrepared(prepared: PreparedTransaction, signature: CompactSignature): Promise<Receipt> {
    if (typeof prepared !== 'object' || prepared === null) throw new InvalidInputError('prepared is a PreparedTransaction', { field: '/prepared' });
    const plan = this.planOf(prepared.request);
    if (typeof prepared.expiresAt !== 'number' || Date.now() > prepared.expiresAt) {
      throw new ConflictError('the prepared transaction has expired: prepare it again', { stage: 'validate', field: '/expiresAt' });
    }
    let payload: PreparedPayload;
    let tx: Transaction;
    try {
      payload = JSON.parse(Buffer.from(String(prepared.payload), 'base64').toString('utf8')) as PreparedPayload;
      tx = Transaction.from(payload.tx);
    } catch {
      throw new InvalidInputError('the prepared payload is not one this adapter produced', { field: '/payload' });
    }
    const w = await this.resolve(plan);
    const from = addressOf(getBytes('0x' + String(prepared.publicKey).replace(/^0x/, '')), '/publicKey');
    if (payload.v !== 1 || payload.chainId !== this.d.config.chainId || tx.chainId !== BigInt(this.d.config.chainId) ||
      getAddress(payload.from) !== from || tx.to !== w.app.address || tx.data !== w.data || tx.unsignedHash !== prepared.digest) {
      throw new InvalidInputError('the prepared payload does not match its request, key or digest', { field: '/payload' });
    }
    const signed = tx.clone();
    signed.signature = ethereumSignature(tx.unsignedHash, signature, from);
    const deadline = this.deadline(plan);
    const first = await this.earlier(w, from, deadline);
    if (first) return first;
    try {
      await this.d.nonces.sendFixed(from, tx.nonce, { hash: signed.hash!, raw: signed.serialized });
      const raw = await this.d.sender.await(signed.hash!, { to: w.app.address, data: w.data, from, gasLimit: tx.gasLimit, what: `${plan.method} on ${plan.appId}` }, 'final', deadline);
      return await this.receiptOf(w, raw);
    } catch (error) {
      if (EthereumGateway.alreadyExecuted(error)) {
        const again = await this.earlier(w, from, deadline);
        if (again) return again;
      }
      throw toBsnError(error, { stage: 'submit', what: `${plan.method} on ${plan.appId}` });
    }
  }

  // ------------------------------------------------------------------ reads

  async evaluate(request: EvaluateRequest, caller?: Signer): Promise<EvaluateResult> {
    if (typeof request !== 'object' || request === null) throw new InvalidInputError('a request is an object', { field: '' });
    const appId = checkAppRef(request.app);
    const method = checkMethod(request.method);
    const { fnArgs } = presetArgs(method, request.args, false);
    let from: string | undefined;
    if (caller !== undefined) {
      checkAlgorithm(caller?.algorithm, '/caller/algorithm');
      from = addressOf(caller.publicKey, '/caller/publicKey');
    }
    const app = await this.d.registry.resolve(appId);
    const fn = PRESET_FUNCTIONS[method as PresetMethod].fn;
    const block = await this.d.finality.finalHead();
    let valueHash: string;
    let lastBlock: bigint;
    try {
      const out = await this.d.chain.call({ to: app.address, data: appInterface.encodeFunctionData(fn, fnArgs), ...(from && { from }) }, block);
      [valueHash, lastBlock] = appInterface.decodeFunctionResult(fn, out) as unknown as [string, bigint];
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what: `${method} on ${appId}` });
    }
    // `get` answers with the value's hash and the block whose KvWritten log holds it.
    const { value } = await liveValue(this.d.chain, app, fnArgs[0] as string, Number(lastBlock), valueHash);
    return { result: value, block };
  }

  events(request: EventsRequest): AsyncIterable<ChainEvent> {
    return eventStream({ ...this.d, pollingIntervalMs: this.d.config.pollingIntervalMs, logRangeBlocks: this.d.config.logRangeBlocks }, request);
  }

  async block(ref: number | 'latest'): Promise<BlockInfo> {
    const wanted = checkBlockRef(ref);
    try {
      const n = wanted === 'latest' ? await this.d.finality.finalHead() : wanted;
      const b = await this.d.chain.block(n);
      if (!b) throw new NotFoundError(`block ${n} does not exist (yet)`, { stage: 'query', detail: { framework: FRAMEWORK, data: { block: n } } });
      return { number: num(b.number), hash: b.hash, parentHash: b.parentHash, timestamp: num(b.timestamp) * 1000, txIds: b.transactions };
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what: `block ${String(ref)}` });
    }
  }

  async transaction(txId: string): Promise<TransactionInfo> {
    const hash = checkTxId(txId);
    try {
      const [receipt, tx] = await Promise.all([this.d.chain.receipt(hash), this.d.chain.transaction(hash)]);
      if (!receipt || !tx) {
        throw new NotFoundError(tx ? `transaction ${hash} is pending, not committed` : `no transaction ${hash}`, {
          stage: 'query', detail: { framework: FRAMEWORK, data: { txId: hash, pending: Boolean(tx) } },
        });
      }
      const appId = receipt.to ? await this.appAt(receipt.to) : undefined;
      let method: string | undefined;
      if (appId) {
        const parsed = appInterface.parseTransaction({ data: tx.input });
        if (parsed) method = METHOD_OF_FUNCTION[parsed.name] ?? parsed.name;
      }
      return {
        txId: receipt.transactionHash,
        block: { number: num(receipt.blockNumber), hash: receipt.blockHash },
        valid: receipt.status === '0x1',
        validationCode: receipt.status,
        ...(appId && { app: appId }),
        ...(method && { method }),
        events: appId && receipt.to ? appEventsOf(receipt.logs, { appId, address: receipt.to }) : [],
      };
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what: `transaction ${hash}` });
    }
  }

  /** The app id of an address, if it is an app of this registry (checked both ways, never trusted from the contract alone). */
  private async appAt(address: string): Promise<string | undefined> {
    const known = this.d.registry.appIdOf(address);
    if (known) return known;
    try {
      const out = await this.d.chain.call({ to: address, data: appInterface.encodeFunctionData('appInfo') });
      const [appId] = appInterface.decodeFunctionResult('appInfo', out) as unknown as [string];
      const location = await this.d.registry.resolve(appId);
      return location.address.toLowerCase() === address.toLowerCase() ? appId : undefined;
    } catch {
      return undefined;
    }
  }

  async health(): Promise<HealthReport> {
    const started = performance.now();
    try {
      const [node, height, chainId] = await Promise.all([this.d.chain.clientVersion(), this.d.chain.blockNumber(), this.d.chain.chainId()]);
      const latencyMs = Math.round(performance.now() - started);
      const ok = chainId === this.d.config.chainId;
      return {
        ok,
        height,
        node,
        latencyMs,
        detail: {
          network: this.d.config.name,
          chainId,
          ...(!ok && { problem: `the node serves chain ${chainId}, the config expects ${this.d.config.chainId}` }),
          finalHeight: Math.max(0, height - this.d.finality.confirmations),
          confirmations: this.d.finality.confirmations,
          registry: this.d.registry.address,
        },
      };
    } catch (error) {
      return {
        ok: false,
        height: 0,
        node: 'unreachable',
        latencyMs: Math.round(performance.now() - started),
        detail: { network: this.d.config.name, error: error instanceof Error ? error.message : String(error) },
      };
    }
  }
}

