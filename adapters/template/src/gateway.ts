import {
  InvalidInputError,
  NotFoundError,
  UnauthorizedError,
  bareHex,
  canonicalJson,
  checkBlockRef,
  checkEvaluateRequest,
  checkEventsRequest,
  checkPreparedAccount,
  checkPreparedFresh,
  checkPreparedShape,
  checkSubmitRequest,
  decodePreparedPayload,
  fromBase64,
  fromHex,
  isAfter,
  preparedMismatch,
  preparedTransaction,
  timedHealth,
  toBase64,
  toHex,
  verifyDigest,
  whatOf,
  type BlockInfo,
  type ChainEvent,
  type CompactSignature,
  type EvaluateRequest,
  type EvaluateResult,
  type EventsRequest,
  type Gateway,
  type HealthReport,
  type KeyAlgorithm,
  type PreparedTransaction,
  type Receipt,
  type Signer,
  type SubmitRequest,
  type TransactionInfo,
  type WritePlan,
} from '@bsn/contract';
import { FRAMEWORK, MANIFEST } from './framework.js';
import { LIMITS } from './limits.js';
import type { NodeClient } from './node-client.js';
import { txDigest, type Block, type LedgerEvent, type NodeInfo, type Operation, type Sealed, type TxBody } from './node-protocol.js';
import { chainEventOf, receiptOf, type Transactions } from './transactions.js';

/** How long the prepared (user-key) envelope stays valid. */
const PREPARED_TTL_MS = 5 * 60_000;
/** How long one `events` poll waits at the node for a new block. */
const EVENT_WAIT_MS = 1_000;

/** This chain's transaction ids: SHA-256, 64 hex digits. */
function checkTxId(txId: unknown, field = '/txId'): string {
  if (typeof txId !== 'string' || !/^[0-9a-fA-F]{64}$/.test(txId))
    throw new InvalidInputError(`${field}: a transaction id is 64 hex digits`, { field });
  return txId.toLowerCase();
}

const operationOf = (plan: WritePlan): Operation =>
  plan.method === 'put' ? { op: 'put', key: plan.key, value: toBase64(plan.value!) } : { op: 'delete', key: plan.key };

/** What the user-key envelope carries between `prepare` and `submitPrepared`. */
interface PreparedPayload {
  body: TxBody;
}

export class TemplateGateway implements Gateway {
  constructor(
    private readonly node: NodeClient,
    private readonly txs: Transactions,
    private readonly info: NodeInfo,
  ) {}

  async submit(request: SubmitRequest, signer: Signer): Promise<Receipt> {
    const plan = checkSubmitRequest(request, LIMITS);
    const body = this.txs.body(plan.appId, plan.requestId, operationOf(plan));
    return receiptOf(await this.txs.signAndSend(body, signer, whatOf(plan)), plan.requestId);
  }

  async prepare(request: SubmitRequest, account: { publicKey: Uint8Array; algorithm: KeyAlgorithm }): Promise<PreparedTransaction> {
    const plan = checkSubmitRequest(request, LIMITS);
    const { algorithm, publicKey } = checkPreparedAccount(account, MANIFEST.keyAlgorithms, FRAMEWORK);
    const body = this.txs.body(plan.appId, plan.requestId, operationOf(plan));
    return preparedTransaction<PreparedPayload>({
      request,
      algorithm,
      publicKey: toHex(publicKey),
      digest: txDigest(body),
      payload: { body },
      ttlMs: PREPARED_TTL_MS,
    });
  }

  async submitPrepared(prepared: PreparedTransaction, signature: CompactSignature): Promise<Receipt> {
    checkPreparedShape(prepared);
    const plan = checkSubmitRequest(prepared.request, LIMITS);
    checkPreparedFresh(prepared);
    const { body } = decodePreparedPayload<PreparedPayload>(prepared);
    // The payload travelled through the client: it must be exactly what the request makes.
    const expected = this.txs.body(plan.appId, plan.requestId, operationOf(plan));
    if (canonicalJson(body) !== canonicalJson(expected) || txDigest(expected) !== bareHex(prepared.digest)) throw preparedMismatch();
    // Refused here, before anything reaches the node, so a wrong key never costs a broadcast.
    if (
      !(signature?.compact instanceof Uint8Array) ||
      !verifyDigest(prepared.algorithm, fromHex(prepared.publicKey), fromHex(prepared.digest), signature.compact)
    ) {
      throw new UnauthorizedError('the signature is not by the key the transaction was prepared for', {
        stage: 'sign',
        field: '/signature',
      });
    }
    const sealed = await this.txs.send(expected, prepared.algorithm, bareHex(prepared.publicKey), signature, `${whatOf(plan)} (user key)`);
    return receiptOf(sealed, plan.requestId);
  }

  async evaluate(request: EvaluateRequest): Promise<EvaluateResult> {
    const plan = checkEvaluateRequest(request, LIMITS);
    const history = await this.node.call<Array<{ value: string | null; block: number }>>(
      'history',
      { appId: plan.appId, key: plan.key },
      'query',
      `get on ${plan.appId}`,
    );
    const last = history[history.length - 1];
    if (!last || last.value === null) {
      throw new NotFoundError(`get on ${plan.appId}: key ${JSON.stringify(plan.key)} does not exist`, { stage: 'query', field: '/args/0' });
    }
    return { result: fromBase64(last.value), block: last.block };
  }

  async *events(request: EventsRequest): AsyncGenerator<ChainEvent> {
    const plan = checkEventsRequest(request);
    const app = await this.node.call<{ createdTx: string }>('app', { appId: plan.appId }, 'query', `events of ${plan.appId}`);
    let from =
      plan.after?.block ?? (await this.node.call<Sealed>('tx', { txId: app.createdTx }, 'query', `events of ${plan.appId}`)).block.number;
    let seen = plan.after;
    while (!plan.signal?.aborted) {
      const head = await this.node.call<Block>('head', {}, 'query', 'the chain head');
      const events = await this.node.call<LedgerEvent[]>(
        'events',
        { appId: plan.appId, fromBlock: from },
        'query',
        `events of ${plan.appId}`,
      );
      for (const raw of events) {
        const event = chainEventOf(raw);
        if (!isAfter(event.checkpoint, seen) || raw.block > head.number) continue;
        if (plan.name !== undefined && event.name !== plan.name) continue;
        if (plan.signal?.aborted) return;
        yield event;
        seen = event.checkpoint;
      }
      from = head.number + 1;
      await this.node.call<Block>('waitAbove', { number: head.number, ms: EVENT_WAIT_MS }, 'query', 'waiting for blocks');
    }
  }

  async block(ref: number | 'latest'): Promise<BlockInfo> {
    const wanted = checkBlockRef(ref);
    const block =
      wanted === 'latest'
        ? await this.node.call<Block>('head', {}, 'query', 'the chain head')
        : await this.node.call<Block>('block', { number: wanted }, 'query', `block ${wanted}`);
    return { number: block.number, hash: block.hash, parentHash: block.parentHash, timestamp: block.timestamp, txIds: [...block.txIds] };
  }

  async transaction(txId: string): Promise<TransactionInfo> {
    const id = checkTxId(txId);
    const { tx, block } = await this.node.call<Sealed>('tx', { txId: id }, 'query', `transaction ${id}`);
    return {
      txId: tx.txId,
      block: { number: block.number, hash: block.hash },
      valid: true,
      validationCode: 'SEALED',
      app: tx.body.app,
      method: tx.body.op,
      events: tx.events.map(chainEventOf),
    };
  }

  health(): Promise<HealthReport> {
    return timedHealth(
      async () => {
        const head = await this.node.call<Block>('head', {}, 'query', 'health');
        return { ok: true, height: head.number, node: this.info.version, detail: { chain: this.info.chain, url: this.node.url } };
      },
      { node: 'unreachable', detail: { url: this.node.url } },
    );
  }
}
