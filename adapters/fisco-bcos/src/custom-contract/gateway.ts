import {
  ConflictError,
  InvalidInputError,
  UnavailableError,
  checkArgs,
  checkAppRef,
  checkEventsRequest,
  checkId,
  checkMethod,
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
} from '@bsn/contract';
import type { FunctionFragment } from 'ethers';
import { checkSigner } from '../accounts.js';
import { checkpointOf } from '../app-events.js';
import type { ChainContext } from '../chain-context.js';
import { toBsnError } from '../errors.js';
import { hexToBytes } from '../node/chain-reader.js';
import type { ReceiptJson } from '../node/node-json.js';
import { accountOf } from '../protocol/account.js';
import { concat, utf8Bytes } from '../protocol/big-endian.js';
import { abiArguments } from './abi-values.js';
import type { CustomApps, CustomAppState } from './custom-apps.js';
import type { PackageAbi } from './package-abi.js';

const encoder = new TextEncoder();
const hex = (b: Uint8Array): string => '0x' + Buffer.from(b).toString('hex');

/** A call bound to the function the app's current ABI names. */
interface BoundCall {
  app: CustomAppState;
  /** Every version's ABI, oldest first. */
  versions: PackageAbi[];
  fn: FunctionFragment;
  data: Uint8Array;
}

/** A log of the app's proxy: where it sits and what it holds. */
interface AppLog {
  txId: string;
  block: number;
  txIndex: number;
  logIndex: number;
  topics: Uint8Array[];
  data: Uint8Array;
}

/**
 * The generic gateway for apps that bring their own contract: a method is a function of the
 * app's ABI (its current version, under the chain's hash), arguments are typed by it, results
 * and events come back as JSON by it. A write goes through the proxy's `bsnRequest`, which
 * runs a request id once, so a repeated id answers the first receipt as for preset apps; the
 * proxy itself refuses non-members and frozen apps (NotWriter), whatever signs.
 */
export class CustomAppGateway {
  constructor(
    private readonly c: ChainContext,
    private readonly apps: CustomApps,
  ) {}

  private async bind(app: CustomAppState, method: string, args: Array<string | Uint8Array>): Promise<BoundCall> {
    const versions = await this.apps.versions(app);
    const abi = versions[versions.length - 1]!;
    const fn = abi.functionOf(method, '/method');
    return { app, versions, fn, data: abi.encode(fn, abiArguments(fn.inputs, args)) };
  }

  private requestKeyOf(requestId: string): string {
    return hex(this.c.suite.hash(utf8Bytes(requestId)));
  }

  async submit(app: CustomAppState, request: SubmitRequest, signer: Signer): Promise<Receipt> {
    checkRequestObject(request);
    const requestId = checkId(request.requestId, '/requestId');
    const method = checkMethod(request.method);
    const args = checkArgs(request.args);
    const timeoutMs = checkTimeout(request.timeoutMs);
    checkSigner(this.c.suite, signer);
    const call = await this.bind(app, method, args);
    if (call.fn.constant)
      throw new InvalidInputError(`/method: ${method} only reads (${call.fn.stateMutability}): use evaluate`, { field: '/method' });
    const requestKey = this.requestKeyOf(requestId);
    const what = `${method} on ${app.appId}`;
    const input = this.apps.abi.encode('bsnRequest', [requestKey, call.data]);
    const receipt = await this.c.txs.signAndSend(
      app.address,
      input,
      signer,
      what,
      Date.now() + (timeoutMs ?? this.c.config.submitTimeoutMs),
    );
    if (receipt.status !== 0) {
      const revert = this.apps.revertOf(hexToBytes(receipt.output), call.versions);
      if (revert?.name === 'RequestAlreadyExecuted')
        return this.first(
          call,
          requestId,
          requestKey,
          accountOf(this.c.suite, signer.publicKey),
          Number(revert.args.blockNumber),
          String(revert.args.contentHash),
        );
      this.apps.check(receipt, { what }, [...call.versions].reverse());
    }
    return this.receipt(call.app, call.versions, requestId, receipt);
  }

  /** The receipt of the request id's first execution: the same content answers it, other content is ConflictError. */
  private async first(
    call: BoundCall,
    requestId: string,
    requestKey: string,
    sender: string,
    block: number,
    recorded: string,
  ): Promise<Receipt> {
    const what = `${call.fn.name} on ${call.app.appId}`;
    const mine = hex(this.c.suite.hash(concat([hexToBytes(sender), call.data])).subarray(0, 24));
    let logs;
    try {
      logs = await this.c.chain.logs({
        fromBlock: block,
        toBlock: block,
        address: call.app.address,
        topics: ['0x' + this.apps.abi.eventTopic('RequestExecuted'), requestKey],
      });
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what: `${what}: finding the first execution of request ${requestId}` });
    }
    const txId = logs[0]?.transactionHash;
    if (recorded.toLowerCase() !== mine)
      throw new ConflictError(
        `${what}: request id ${JSON.stringify(requestId)} was used before with other content${txId ? ` by transaction ${txId}` : ''}`,
        {
          stage: 'validate',
          field: '/requestId',
          ...(txId && { txId }),
        },
      );
    if (!txId)
      throw new UnavailableError(
        `${what}: request ${requestId} executed in block ${block}, but the node returns no RequestExecuted log there`,
        {
          stage: 'query',
        },
      );
    return this.receipt(call.app, call.versions, requestId, await this.c.chain.receipt(txId));
  }

  private async receipt(app: CustomAppState, versions: PackageAbi[], requestId: string, r: ReceiptJson): Promise<Receipt> {
    let block;
    try {
      block = await this.c.chain.blockOf(r.blockNumber, r.transactionHash);
    } catch (error) {
      throw toBsnError(error, { stage: 'commit', txId: r.transactionHash, what: `reading block ${r.blockNumber}` });
    }
    const txIndex = (block.transactions ?? []).findIndex((t) => (typeof t === 'string' ? t : t.hash) === r.transactionHash);
    const events = r.logEntries
      .map((l, logIndex) => ({ l, logIndex }))
      .filter(({ l }) => l.address.replace(/^0x/i, '').toLowerCase() === app.address.slice(2))
      .map(({ l, logIndex }) =>
        this.eventOf(app, versions, {
          txId: r.transactionHash,
          block: r.blockNumber,
          txIndex,
          logIndex,
          topics: l.topics.map(hexToBytes),
          data: hexToBytes(l.data),
        }),
      )
      .filter((e): e is ChainEvent => e !== undefined);
    return {
      txId: r.transactionHash,
      requestId,
      status: 'committed',
      block: { number: block.number, hash: block.hash },
      events,
      timestamp: block.timestamp,
    };
  }

  /**
   * A log of the app's proxy as the gateway's event: named and decoded by the newest version
   * whose ABI declares it (an event no version declares, and the proxy's RequestExecuted, are
   * not the app's events), its payload the UTF-8 JSON of its arguments by name.
   */
  private eventOf(app: CustomAppState, versions: PackageAbi[], log: AppLog): ChainEvent | undefined {
    if (log.topics[0] && hex(log.topics[0]).slice(2) === this.apps.abi.eventTopic('RequestExecuted')) return undefined;
    for (let v = versions.length - 1; v >= 0; v--) {
      const decoded = versions[v]!.decodeLog(log.topics, log.data);
      if (decoded)
        return {
          app: app.appId,
          name: decoded.name,
          payload: encoder.encode(JSON.stringify(decoded.args)),
          txId: log.txId,
          checkpoint: checkpointOf(log.block, log.txIndex, log.logIndex),
        };
    }
    return undefined;
  }

  /** Any function, run by the node's `call` (never a write); the result is the UTF-8 JSON array of its outputs. */
  async evaluate(app: CustomAppState, request: EvaluateRequest): Promise<EvaluateResult> {
    checkRequestObject(request);
    checkAppRef(request.app);
    const method = checkMethod(request.method);
    const call = await this.bind(app, method, checkArgs(request.args));
    const what = `${method} on ${app.appId}`;
    let r;
    try {
      r = await this.c.chain.call(app.address, call.data);
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what });
    }
    if (r.status !== 0) throw this.apps.failure(r.status, hex(r.output), { stage: 'query', what }, [...call.versions].reverse());
    const abi = call.versions[call.versions.length - 1]!;
    return { result: encoder.encode(JSON.stringify(abi.decodeResult(call.fn, r.output))), block: r.blockNumber };
  }

  /**
   * The app's events from every log of its proxy, in (block, transaction, log) order, strictly
   * after the checkpoint; every sealed FISCO block is final, so it reads to the head and then
   * polls until the signal aborts. The versions are read again for each range (an upgrade
   * meanwhile brings events the old ABI does not declare).
   */
  async *events(app: CustomAppState, request: EventsRequest): AsyncGenerator<ChainEvent> {
    const plan = checkEventsRequest(request);
    let from = Math.max(plan.after?.block ?? app.createdBlock, app.createdBlock);
    let seen = plan.after;
    while (!plan.signal?.aborted) {
      let head: number;
      try {
        head = await this.c.chain.blockNumber();
      } catch (error) {
        throw toBsnError(error, { stage: 'query', what: `events of ${app.appId}` });
      }
      while (from <= head) {
        const to = Math.min(head, from + this.c.config.logRangeBlocks - 1);
        let logs;
        try {
          logs = await this.c.chain.logs({ fromBlock: from, toBlock: to, address: app.address, topics: [] });
        } catch (error) {
          throw toBsnError(error, { stage: 'query', what: `events of ${app.appId}` });
        }
        const versions = logs.length ? await this.apps.versions((await this.apps.state(app.appId)) ?? app) : [];
        for (const log of logs) {
          const event = this.eventOf(app, versions, {
            txId: log.transactionHash,
            block: Number(log.blockNumber),
            txIndex: Number(log.transactionIndex),
            logIndex: Number(log.logIndex),
            topics: log.topics.map(hexToBytes),
            data: hexToBytes(log.data),
          });
          if (!event || !isAfter(event.checkpoint, seen) || (plan.name !== undefined && event.name !== plan.name)) continue;
          if (plan.signal?.aborted) return;
          yield event;
          seen = event.checkpoint;
        }
        from = to + 1;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, this.c.config.pollingIntervalMs);
        function done() {
          clearTimeout(timer);
          plan.signal?.removeEventListener('abort', done);
          resolve();
        }
        plan.signal?.addEventListener('abort', done, { once: true });
      });
    }
  }
}
