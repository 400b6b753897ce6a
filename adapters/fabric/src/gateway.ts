import { ConflictError, InvalidInputError, UnauthorizedError, verifyDigest, type BlockInfo, type ChainEvent, type CompactSignature, type EvaluateRequest, type EvaluateResult, type EventsRequest, type Gateway, type HealthReport, type KeyAlgorithm, type PreparedTransaction, type Receipt, type Signer, type SubmitRequest, type TransactionInfo } from '@bsn/contract';
import type { Gateway as FabricGateway } from '@hyperledger/fabric-gateway';
import { chaincodeEventsOf, type BlockTransaction } from './blocks.js';
import type { PresetChaincode } from './chaincode-client.js';
import type { ResolvedConfig } from './config.js';
import type { FabricConnection } from './connection.js';
import { FRAMEWORK } from './describe.js';
import { chainEventOf, eventStream } from './events.js';
import type { Ledger } from './ledger.js';
import { checkAlgorithm, checkPublicKey, lowS } from './signer-bridge.js';
import type { Transactor } from './transactions.js';
import { authorisationDigest, type PreparedPayload, type UserAuthorisation } from './user-key.js';
import {
  checkAppRef, checkArgs, checkBlockRef, checkKey, checkMethod, checkRequestId, checkTimeout, checkTxId, checkValue,
} from './validation.js';

export interface GatewayDeps {
  config: ResolvedConfig;
  connection: FabricConnection;
  ledger: Ledger;
  transactor: Transactor;
  chaincode: PresetChaincode;
}

export type PresetWriteMethod = 'put' | 'delete';

/** A preset write, validated. */
export interface WritePlan {
  appId: string;
  requestId: string;
  method: PresetWriteMethod;
  key: string;
  value?: Uint8Array;
  timeoutMs?: number;
}

const PRESET = {
  put: { write: true, params: ['key', 'value'] },
  delete: { write: true, params: ['key'] },
  get: { write: false, params: ['key'] },
} as const;

/**
 * Generic invocations map onto the preset chaincode's methods: strings where it takes keys
 * (checked as preset keys), bytes where it takes values. Field pointers name the argument.
 */
export function presetArgs(method: string, args: unknown, write: boolean): { method: keyof typeof PRESET; key: string; value?: Uint8Array } {
  if (!Object.hasOwn(PRESET, method)) {
    throw new InvalidInputError(`the preset contract has no method ${JSON.stringify(method)} (it has ${Object.keys(PRESET).join(', ')})`, { field: '/method' });
  }
  const spec = PRESET[method as keyof typeof PRESET];
  if (spec.write !== write) {
    throw new InvalidInputError(write ? `${method} only reads: use evaluate` : `${method} writes: use submit (evaluate never writes)`, { field: '/method' });
  }
  const list = checkArgs(args);
  spec.params.forEach((param, i) => {
    const field = `/args/${i}`;
    if (param === 'key') {
      if (typeof list[i] !== 'string') throw new InvalidInputError(`argument ${i} of ${method} is a string (the key)`, { field });
      checkKey(list[i], field);
    } else {
      if (!(list[i] instanceof Uint8Array)) throw new InvalidInputError(`argument ${i} of ${method} is bytes (the value)`, { field });
      checkValue(list[i], field);
    }
  });
  if (list.length !== spec.params.length) throw new InvalidInputError(`${method} takes ${spec.params.length} argument(s), not ${list.length}`, { field: '/args' });
  return { method: method as keyof typeof PRESET, key: list[0] as string, ...(list[1] instanceof Uint8Array && { value: list[1] }) };
}

export class FabricGatewayImpl implements Gateway {
  constructor(private readonly d: GatewayDeps) {}

  // ------------------------------------------------------------------ writes

  planOf(request: SubmitRequest): WritePlan {
    if (typeof request !== 'object' || request === null) throw new InvalidInputError('a request is an object', { field: '' });
    const requestId = checkRequestId(request.requestId);
    const appId = checkAppRef(request.app);
    const method = checkMethod(request.method);
    const timeoutMs = checkTimeout(request.timeoutMs);
    const { key, value } = presetArgs(method, request.args, true);
    return { appId, requestId, method: method as PresetWriteMethod, key, ...(value && { value }), ...(timeoutMs && { timeoutMs }) };
  }

  private deadline(plan: { timeoutMs?: number }): number {
    return Date.now() + (plan.timeoutMs ?? this.d.config.submitTimeoutMs);
  }

  /** A validated preset write in hosted-key mode: the signer's own MSP identity endorses and submits it. */
  async submitPlan(plan: WritePlan, signer: Signer): Promise<Receipt> {
    const gateway = await this.d.connection.gatewayFor(signer);
    const args = plan.method === 'put' ? [plan.appId, plan.requestId, plan.key, plan.value!] : [plan.appId, plan.requestId, plan.key];
    const committed = await this.d.transactor.transact(gateway, plan.method, args, {
      what: `${plan.method} on ${plan.appId}`, deadline: this.deadline(plan), kvResult: true,
    });
    return this.d.transactor.receiptOf(committed, plan.requestId);
  }

  async submit(request: SubmitRequest, signer: Signer): Promise<Receipt> {
    return this.submitPlan(this.planOf(request), signer);
  }

  async prepare(request: SubmitRequest, account: { publicKey: Uint8Array; algorithm: KeyAlgorithm }): Promise<PreparedTransaction> {
    const plan = this.planOf(request);
    if (typeof account !== 'object' || account === null) throw new InvalidInputError('account is { publicKey, algorithm }', { field: '/account' });
    checkAlgorithm(account.algorithm, '/account/algorithm');
    const publicKey = checkPublicKey(account.publicKey, '/account/publicKey');
    const app = await this.d.chaincode.app(plan.appId);
    const expiresAt = Date.now() + this.d.config.preparedTtlMs;
    const auth: UserAuthorisation = {
      v: 1,
      app: plan.appId,
      appTx: app.createdTx,
      method: plan.method,
      requestId: plan.requestId,
      key: plan.key,
      ...(plan.value && { value: Buffer.from(plan.value).toString('base64') }),
      publicKey: Buffer.from(publicKey).toString('hex'),
      expiresAt,
    };
    const authJson = JSON.stringify(auth);
    const payload: PreparedPayload = { v: 1, channel: this.d.config.channel, chaincode: this.d.config.chaincode, auth: authJson };
    return {
      request: { ...request, args: [...request.args] },
      algorithm: 'secp256r1',
      publicKey: auth.publicKey,
      digest: Buffer.from(authorisationDigest(authJson)).toString('hex'),
      payload: Buffer.from(JSON.stringify(payload)).toString('base64'),
      expiresAt,
    };
  }

  async submitPrepared(prepared: PreparedTransaction, signature: CompactSignature): Promise<Receipt> {
    if (typeof prepared !== 'object' || prepared === null) throw new InvalidInputError('prepared is a PreparedTransaction', { field: '/prepared' });
    const plan = this.planOf(prepared.request);
    let payload: PreparedPayload;
    let auth: UserAuthorisation;
    try {
      payload = JSON.parse(Buffer.from(String(prepared.payload), 'base64').toString('utf8')) as PreparedPayload;
      auth = JSON.parse(payload.auth) as UserAuthorisation;
    } catch {
      throw new InvalidInputError('the prepared payload is not one this adapter produced', { field: '/payload' });
    }
    const digest = authorisationDigest(payload.auth);
    const value = plan.value ? Buffer.from(plan.value).toString('base64') : undefined;
    if (payload.v !== 1 || payload.channel !== this.d.config.channel || payload.chaincode !== this.d.config.chaincode || auth.v !== 1 ||
      auth.app !== plan.appId || auth.method !== plan.method || auth.requestId !== plan.requestId || auth.key !== plan.key || auth.value !== value ||
      auth.publicKey !== String(prepared.publicKey).replace(/^0x/, '').toLowerCase() || auth.expiresAt !== prepared.expiresAt ||
      Buffer.from(digest).toString('hex') !== String(prepared.digest).replace(/^0x/, '').toLowerCase()) {
      throw new InvalidInputError('the prepared payload does not match its request, key or digest', { field: '/payload' });
    }
    if (typeof prepared.expiresAt !== 'number' || Date.now() > prepared.expiresAt) {
      throw new ConflictError('the prepared transaction has expired: prepare it again', { stage: 'validate', field: '/expiresAt' });
    }
    const publicKey = checkPublicKey(Uint8Array.from(Buffer.from(auth.publicKey, 'hex')), '/publicKey');
    const compact = signature?.compact;
    if (!(compact instanceof Uint8Array) || compact.length !== 64 || !verifyDigest('secp256r1', publicKey, digest, lowS(compact))) {
      throw new UnauthorizedError('the signature is not by the key the transaction was prepared for', {
        stage: 'sign', detail: { framework: FRAMEWORK, message: 'user-key signature does not verify', data: { publicKey: auth.publicKey } },
      });
    }
    return this.relaySigned(payload.auth, lowS(compact), plan);
  }

  /**
   * Submits a user-signed authorisation as the org's service user; the chaincode checks the
   * signature itself (tests call this directly to see the chain refuse a forged one).
   */
  async relaySigned(authJson: string, compact: Uint8Array, plan: Pick<WritePlan, 'appId' | 'method' | 'requestId' | 'timeoutMs'>): Promise<Receipt> {
    const committed = await this.d.transactor.transact(this.d.connection.service, 'invokeSigned', [authJson, Buffer.from(compact).toString('base64')], {
      what: `${plan.method} on ${plan.appId} (user key)`, deadline: this.deadline(plan), kvResult: true,
    });
    return this.d.transactor.receiptOf(committed, plan.requestId);
  }

  // ------------------------------------------------------------------ reads

  async evaluate(request: EvaluateRequest, caller?: Signer): Promise<EvaluateResult> {
    if (typeof request !== 'object' || request === null) throw new InvalidInputError('a request is an object', { field: '' });
    const appId = checkAppRef(request.app);
    const method = checkMethod(request.method);
    const { key } = presetArgs(method, request.args, false);
    let gateway: FabricGateway | undefined;
    if (caller !== undefined) gateway = await this.d.connection.gatewayFor(caller, '/caller');
    try {
      const base64 = await this.d.chaincode.evaluate('get', [appId, key], `get on ${appId}`, gateway);
      return { result: Uint8Array.from(Buffer.from(Buffer.from(base64).toString('utf8'), 'base64')) };
    } finally {
      gateway?.close();
    }
  }

  events(request: EventsRequest): AsyncIterable<ChainEvent> {
    return eventStream(this.d, request);
  }

  async block(ref: number | 'latest'): Promise<BlockInfo> {
    const wanted = checkBlockRef(ref);
    const number = wanted === 'latest' ? (await this.d.ledger.info()).height - 1 : wanted;
    const b = await this.d.ledger.block(number);
    return { number: b.number, hash: b.hash, parentHash: b.previousHash, timestamp: b.timestamp, txIds: b.transactions.map((t) => t.txId) };
  }

  async transaction(txId: string): Promise<TransactionInfo> {
    const id = checkTxId(txId);
    const block = await this.d.ledger.blockOf(id);
    const tx = block.transactions.find((t) => t.txId === id)!;
    const events = chaincodeEventsOf(block, this.d.config.chaincode)
      .filter((e) => e.tx.txId === id)
      .map((e) => chainEventOf(block.number, e.index, id, e.event.name, e.event.payload))
      .filter((e): e is ChainEvent => e !== undefined);
    const call = this.callOf(tx);
    return {
      txId: id,
      block: { number: block.number, hash: block.hash },
      valid: tx.valid,
      validationCode: tx.validationName,
      ...(call.app && { app: call.app }),
      ...(call.method && { method: call.method }),
      events,
    };
  }

  /** The app and method of a transaction of the preset chaincode, read from its arguments. */
  private callOf(tx: BlockTransaction): { app?: string; method?: string } {
    if (tx.chaincode !== this.d.config.chaincode || !tx.fn) return {};
    const arg = (i: number) => (tx.args?.[i] ? Buffer.from(tx.args[i]!).toString('utf8') : undefined);
    try {
      if (tx.fn === 'invokeSigned') {
        const auth = JSON.parse(arg(0) ?? '') as Partial<UserAuthorisation>;
        return { ...(typeof auth.app === 'string' && { app: auth.app }), ...(typeof auth.method === 'string' && { method: auth.method }) };
      }
      if (tx.fn === 'createApp') {
        const spec = JSON.parse(arg(0) ?? '') as { appId?: unknown };
        return { ...(typeof spec.appId === 'string' && { app: spec.appId }), method: tx.fn };
      }
    } catch {
      return { method: tx.fn };
    }
    const app = arg(0);
    return { ...(app && { app }), method: tx.fn };
  }

  async health(): Promise<HealthReport> {
    const started = performance.now();
    const base = { network: this.d.config.name, channel: this.d.config.channel, chaincode: this.d.config.chaincode, mspId: this.d.config.org.mspId, peer: this.d.config.org.peer.endpoint };
    const node = `hyperledger-fabric/v${this.d.config.fabricVersion ?? 'unknown'}`;
    try {
      const [info, chaincode] = await Promise.all([this.d.ledger.info(), this.d.chaincode.info()]);
      return {
        ok: true,
        height: Math.max(0, info.height - 1),
        node,
        latencyMs: Math.round(performance.now() - started),
        detail: { ...base, blocks: info.height, currentBlockHash: info.currentBlockHash, contract: chaincode, nodeVersionFrom: 'network config (fabricVersion)' },
      };
    } catch (error) {
      return {
        ok: false,
        height: 0,
        node,
        latencyMs: Math.round(performance.now() - started),
        detail: { ...base, error: error instanceof Error ? error.message : String(error) },
      };
    }
  }
}
