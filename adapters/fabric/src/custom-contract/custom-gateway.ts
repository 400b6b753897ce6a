import type { ChaincodeEvent, CloseableAsyncIterable } from '@hyperledger/fabric-gateway';
import {
  InvalidInputError,
  UnauthorizedError,
  checkArgs,
  checkEventsRequest,
  checkMethod,
  checkRequestId,
  checkRequestObject,
  checkTimeout,
  isAfter,
  type ChainEvent,
  type EvaluateRequest,
  type EvaluateResult,
  type EventsRequest,
  type Receipt,
  type Signer,
  type SubmitRequest,
  type TransactionInfo,
} from '@bsn/contract';
import { accountId } from '../accounts.js';
import { chaincodeEventsOf, type DecodedBlock } from '../blocks.js';
import type { FabricConnection } from '../connection.js';
import { FRAMEWORK } from '../describe.js';
import { toBsnError } from '../errors.js';
import { checkPublicKey } from '../signer-bridge.js';
import { Transactor } from '../transactions.js';
import type { CustomApp } from './custom-apps.js';

/** Fabric's own prefix for system functions of the contract API (GetMetadata…): not an app's method. */
const SYSTEM = /^org\.hyperledger\.fabric:/;

function checkCall(request: SubmitRequest | EvaluateRequest): { method: string; args: Array<string | Uint8Array> } {
  checkRequestObject(request);
  const method = checkMethod(request.method);
  if (SYSTEM.test(method))
    throw new InvalidInputError(`${method} is a system function of the contract API, not a method of the app`, { field: '/method' });
  return { method, args: checkArgs(request.args) };
}

/**
 * The generic gateway for an app's own chaincode: a method is a transaction function of the
 * chaincode (its contract's name, `Contract:fn` for a second contract), arguments are its
 * strings or bytes as given, the result is the function's answer as bytes; events are the
 * chaincode's events with their own names and payloads. Writes are signed by the caller's own
 * MSP identity; the adapter lets only the app's members write and refuses writes to a frozen
 * app (the chaincode itself knows nothing of BSN, see the README for what that means).
 */
export class CustomGateway {
  constructor(private readonly d: { connection: FabricConnection; submitTimeoutMs: number }) {}

  private transactor(app: CustomApp): Transactor {
    return new Transactor({
      config: { ...app.parts.config, chaincode: app.chaincode },
      ledger: app.parts.ledger,
      connection: this.d.connection,
    });
  }

  async submit(app: CustomApp, request: SubmitRequest, signer: Signer): Promise<Receipt> {
    const { method, args } = checkCall(request);
    const requestId = checkRequestId(request.requestId);
    const timeoutMs = checkTimeout(request.timeoutMs);
    const caller = accountId(app.parts.config.org.mspId, checkPublicKey(signer?.publicKey, '/signer/publicKey'));
    if (app.record.state === 'frozen')
      throw new UnauthorizedError(`app ${app.appId} is frozen: it serves reads only`, { stage: 'validate' });
    if (!app.record.members.includes(caller))
      throw new UnauthorizedError(`${caller} is not a member of app ${app.appId}`, { stage: 'validate', detail: { framework: FRAMEWORK } });
    const gateway = await this.d.connection.gatewayFor(signer);
    try {
      const transactor = this.transactor(app);
      const committed = await transactor.transact(gateway, method, args, {
        what: `${method} on ${app.appId}`,
        deadline: Date.now() + (timeoutMs ?? this.d.submitTimeoutMs),
      });
      const receipt = transactor.receiptOf(committed, requestId, committed.result);
      return { ...receipt, events: this.eventsOf(app, committed.block, receipt.txId) };
    } finally {
      gateway.close();
    }
  }

  /** The chaincode's events in the transaction (Fabric keeps one per transaction), indexed as the event stream counts them. */
  private eventsOf(app: CustomApp, block: DecodedBlock, txId: string): ChainEvent[] {
    return chaincodeEventsOf(block, app.chaincode)
      .filter((e) => e.tx.txId === txId)
      .map((e) => ({
        app: app.appId,
        name: e.event.name,
        payload: Uint8Array.from(e.event.payload),
        txId,
        checkpoint: { block: block.number, index: e.index },
      }));
  }

  /** Completes a look-up of a transaction on the app's channel: a call of its chaincode names the app, the function and its events. */
  async describe(app: CustomApp, info: TransactionInfo): Promise<TransactionInfo> {
    const block = await app.parts.ledger.block(info.block.number);
    const tx = block.transactions.find((t) => t.txId === info.txId);
    if (!tx || tx.chaincode !== app.chaincode) return info;
    return { ...info, app: app.appId, ...(tx.fn && { method: tx.fn }), events: this.eventsOf(app, block, info.txId) };
  }

  async evaluate(app: CustomApp, request: EvaluateRequest, caller?: Signer): Promise<EvaluateResult> {
    const { method, args } = checkCall(request);
    const gateway = caller ? await this.d.connection.gatewayFor(caller, '/caller') : this.d.connection.service;
    try {
      const result = await gateway
        .getNetwork(app.channel)
        .getContract(app.chaincode)
        .evaluateTransaction(method, ...args);
      return { result };
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what: `${method} on ${app.appId}` });
    } finally {
      if (caller) gateway.close();
    }
  }

  /**
   * The chaincode's events from the Gateway's chaincode-events service, from the block the
   * app was created in (or after the checkpoint), as for preset apps: a checkpoint counts the
   * chaincode's events within its block.
   */
  async *events(app: CustomApp, request: EventsRequest): AsyncGenerator<ChainEvent> {
    const { after, name, signal } = checkEventsRequest(request);
    if (signal?.aborted) return;
    const startBlock = after?.block ?? (await app.parts.ledger.blockOf(app.record.createdTx)).number;
    let events: CloseableAsyncIterable<ChaincodeEvent>;
    try {
      events = await this.d.connection.service
        .getNetwork(app.channel)
        .getChaincodeEvents(app.chaincode, { startBlock: BigInt(startBlock) });
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what: `events of ${app.appId}` });
    }
    const close = () => events.close();
    signal?.addEventListener('abort', close, { once: true });
    let block = -1;
    let index = -1;
    try {
      for await (const raw of events) {
        const number = Number(raw.blockNumber);
        if (number !== block) {
          block = number;
          index = 0;
        } else {
          index++;
        }
        if (!isAfter({ block, index }, after)) continue;
        if (name !== undefined && raw.eventName !== name) continue;
        yield {
          app: app.appId,
          name: raw.eventName,
          payload: Uint8Array.from(raw.payload),
          txId: raw.transactionId,
          checkpoint: { block, index },
        };
        if (signal?.aborted) return;
      }
    } catch (error) {
      if (signal?.aborted) return;
      throw toBsnError(error, { stage: 'query', what: `events of ${app.appId}` });
    } finally {
      signal?.removeEventListener('abort', close);
      close();
    }
  }
}
