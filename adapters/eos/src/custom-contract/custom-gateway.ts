/**
 * The generic gateway for an app's own contract. A method is an action of the contract's ABI,
 * its arguments the action's fields in order (action-args.ts).
 *
 * - submit: the action, authorized by the caller's account (`account@active`), in a transaction
 *   signed by the caller, returned once its block is irreversible, with the action's return
 *   value (ABI `action_results`) as `result` and the app's events (custom-events.ts).
 * - evaluate: the action run as a Leap read-only transaction (`send_read_only_transaction`: no
 *   authorization, no signature, nothing kept); the result is its return value decoded by the
 *   ABI as JSON text. A read is a read-only action the contract declares, e.g. the sample's
 *   `balance(owner) → uint64`; an action that writes is refused by the node.
 * - events: the app account's action traces from irreversible blocks, from the app's creation
 *   block (or after the checkpoint), every block's traces read in order; a transaction look-up
 *   scoped to the app carries the same events.
 *
 * The adapter lets only the app's members write and refuses writes to a frozen app; the contract
 * itself knows nothing of BSN, and a member may push actions to it without the adapter.
 */
import {
  InvalidInputError,
  RejectedByChainError,
  UnauthorizedError,
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
import { packTransaction, type ContractAbi } from '../antelope/index.js';
import { accountNameOf, PERMISSION } from '../accounts.js';
import { toBsnError } from '../errors.js';
import { FRAMEWORK } from '../framework.js';
import type { NodeApi } from '../node-api.js';
import type { Transactions } from '../transactions.js';
import { actionData } from './action-args.js';
import type { CustomApp } from './custom-apps.js';
import { customEventsOf } from './custom-events.js';

const encoder = new TextEncoder();

function checkCall(app: CustomApp, request: SubmitRequest | EvaluateRequest): { name: string; data: Uint8Array } {
  checkRequestObject(request);
  const name = checkMethod(request.method);
  if (!app.abi.hasAction(name))
    throw new InvalidInputError(`/method: app ${app.appId}'s contract has no action ${JSON.stringify(name)}`, { field: '/method' });
  if (!Array.isArray(request.args)) throw new InvalidInputError('/args: must be an array of strings', { field: '/args' });
  request.args.forEach((a, i) => {
    if (typeof a !== 'string') throw new InvalidInputError(`/args/${i}: an EOS action's argument is a string`, { field: `/args/${i}` });
  });
  return { name, data: app.abi.encodeAction(name, actionData(app.abi, name, request.args as string[])) };
}

/** A return value as the ABI types it, as JSON text; the raw bytes when the ABI declares no type. */
function resultOf(abi: ContractAbi, action: string, hex: string | undefined): Uint8Array | undefined {
  if (!hex) return undefined;
  const raw = Uint8Array.from(Buffer.from(hex, 'hex'));
  const type = abi.resultTypeOf(action);
  return type ? encoder.encode(JSON.stringify(abi.decode(type, raw))) : raw;
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export class CustomGateway {
  constructor(
    private readonly txs: Transactions,
    private readonly api: NodeApi,
    private readonly pollMs: number,
  ) {}

  async submit(app: CustomApp, request: SubmitRequest, signer: Signer): Promise<Receipt> {
    const call = checkCall(app, request);
    const requestId = checkRequestId(request.requestId);
    const timeoutMs = checkTimeout(request.timeoutMs);
    const caller = accountNameOf(signer.algorithm, signer.publicKey);
    if (app.frozen) throw new UnauthorizedError(`app ${app.appId} is frozen: it serves reads only`, { stage: 'validate' });
    if (!app.members.includes(caller))
      throw new UnauthorizedError(`${caller} is not a member of app ${app.appId}`, { stage: 'validate', detail: { framework: FRAMEWORK } });
    const final = await this.txs.submit(
      [{ account: app.account, name: call.name, authorization: [{ actor: caller, permission: PERMISSION }], data: call.data }],
      signer,
      { what: `${call.name} on ${app.appId}` },
      timeoutMs,
    );
    const top = final.actions.find((a) => a.receiver === app.account && a.account === app.account && a.action === call.name);
    const result = resultOf(app.abi, call.name, top?.return_value);
    return {
      txId: final.txId,
      requestId,
      status: 'committed',
      block: { number: final.block.number, hash: final.block.hash },
      ...(result && { result }),
      events: customEventsOf(final.actions, app.abi, app, final.txId, final.block.number),
      timestamp: final.block.timestamp,
    };
  }

  /** Completes a look-up: a transaction that ran the app's contract names the app and carries its events. */
  async describe(app: CustomApp, info: TransactionInfo): Promise<TransactionInfo> {
    let events: ChainEvent[];
    try {
      const trace = await this.api.transactionTrace(info.txId);
      events = customEventsOf(trace.actions, app.abi, app, trace.id, trace.block_num);
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what: `transaction ${info.txId}` });
    }
    return events.length === 0 ? info : { ...info, app: app.appId, events };
  }

  async evaluate(app: CustomApp, request: EvaluateRequest): Promise<EvaluateResult> {
    const call = checkCall(app, request);
    const what = `${call.name} on ${app.appId} (read-only)`;
    try {
      const { header } = await this.txs.header(60);
      const packed = packTransaction({ header, actions: [{ account: app.account, name: call.name, authorization: [], data: call.data }] });
      const { processed } = await this.api.sendReadOnlyTransaction(packed);
      if (processed.except) {
        throw new RejectedByChainError(`${what}: ${processed.except.message ?? processed.except.name ?? 'refused'}`, {
          stage: 'query',
          detail: {
            framework: FRAMEWORK,
            ...(processed.except.code !== undefined && { code: processed.except.code }),
            data: processed.except,
          },
        });
      }
      const trace = processed.action_traces.find((t) => t.receiver === app.account && t.act.name === call.name);
      return { result: resultOf(app.abi, call.name, trace?.return_value_hex_data) ?? new Uint8Array(), block: processed.block_num };
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what });
    }
  }

  async *events(app: CustomApp, request: EventsRequest): AsyncGenerator<ChainEvent> {
    const plan = checkEventsRequest(request);
    let seen = plan.after;
    let from = Math.max(app.created, plan.after?.block ?? 0);
    while (!plan.signal?.aborted) {
      let lib: number;
      try {
        lib = (await this.api.info()).last_irreversible_block_num;
      } catch (error) {
        throw toBsnError(error, { stage: 'query', what: `events of ${app.appId}` });
      }
      for (; from <= lib; from++) {
        let events: ChainEvent[];
        try {
          const trace = await this.api.traceBlock(from);
          events = trace.transactions.flatMap((tx) =>
            tx.status === 'executed' ? customEventsOf(tx.actions, app.abi, app, tx.id, from) : [],
          );
        } catch (error) {
          throw toBsnError(error, { stage: 'query', what: `events of ${app.appId} in block ${from}` });
        }
        for (const event of events) {
          if (!isAfter(event.checkpoint, seen) || (plan.name !== undefined && event.name !== plan.name)) continue;
          if (plan.signal?.aborted) return;
          yield event;
          seen = event.checkpoint;
        }
      }
      await pause(this.pollMs, plan.signal);
    }
  }
}
