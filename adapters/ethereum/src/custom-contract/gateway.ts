import { AbiCoder, concat, getBytes, keccak256, toUtf8Bytes, zeroPadValue, type FunctionFragment, type Interface } from 'ethers';
import {
  ConflictError,
  UnavailableError,
  checkArgs,
  checkMethod,
  checkRequestId,
  checkRequestObject,
  checkTimeout,
  isBsnError,
  type ChainEvent,
  type EvaluateRequest,
  type EvaluateResult,
  type EventsRequest,
  type Receipt,
  type Signer,
  type SubmitRequest,
} from '@bsn/contract';
import { num, type RawReceipt } from '../chain.js';
import { FRAMEWORK } from '../describe.js';
import { toBsnError } from '../errors.js';
import type { AdapterParts } from '../parts.js';
import { signerAddress } from '../signer-bridge.js';
import { invalidInput } from '../validation.js';
import { abiArguments, jsonOf } from './abi-values.js';
import { BSN_REQUEST_SELECTOR, CUSTOM_TOPICS, REQUESTS_SLOT } from './contracts.js';
import type { CustomApps, CustomAppState, PublishedVersion } from './custom-apps.js';
import { functionOf } from './deployable.js';
import { customError } from './errors.js';
import { customEventFromLog, customEventStream } from './events.js';

export type CustomGatewayDeps = Pick<AdapterParts, 'config' | 'chain' | 'finality' | 'sender'> & { customApps: CustomApps };

const encoder = new TextEncoder();

/** The proxy's idempotent entry point around a call's data. */
export const bsnRequestData = (requestKey: string, data: string): string =>
  BSN_REQUEST_SELECTOR + abiCoder.encode(['bytes32', 'bytes'], [requestKey, data]).slice(2);

function hasFunction(abi: Interface, method: string): boolean {
  try {
    return abi.getFunction(method) !== null;
  } catch {
    return true; // overloaded: functionOf names the problem
  }
}
const abiCoder = AbiCoder.defaultAbiCoder();

/** A checked call on a custom app, bound to the function its current ABI names. */
export interface CustomCall {
  app: CustomAppState;
  versions: PublishedVersion[];
  fn: FunctionFragment;
  /** The function's calldata. */
  data: string;
}

/**
 * The generic gateway for apps that bring their own contract: a method is a function of the
 * app's ABI (its current version), arguments are typed by it (abi-values.ts), results and
 * events come back as JSON by it. A write goes through the proxy's `bsnRequest`, which runs it
 * at most once per request id, so a repeated id returns the first receipt as for preset apps.
 */
export class CustomAppGateway {
  constructor(private readonly d: CustomGatewayDeps) {}

  /**
   * Binds a call to the function the app's current ABI names, from the view CustomApps keeps
   * for a second; a method that view lacks is looked up once more on the chain (another node
   * may have upgraded the app meanwhile).
   */
  async bind(appId: string, method: string, args: Array<string | Uint8Array>): Promise<CustomCall> {
    let current = await this.d.customApps.current(appId);
    if (!current) await this.d.customApps.require(appId);
    let abi = current!.versions[current!.versions.length - 1]!.abi;
    if (!hasFunction(abi, method)) {
      current = (await this.d.customApps.current(appId, 0)) ?? current;
      abi = current!.versions[current!.versions.length - 1]!.abi;
    }
    const fn = functionOf(abi, method, '/method');
    return { app: current!.state, versions: current!.versions, fn, data: abi.encodeFunctionData(fn, abiArguments(fn.inputs, args)) };
  }

  async submit(request: SubmitRequest, signer: Signer): Promise<Receipt> {
    checkRequestObject(request);
    const requestId = checkRequestId(request.requestId);
    const appId = request.app.appId;
    const method = checkMethod(request.method);
    const timeoutMs = checkTimeout(request.timeoutMs);
    const from = signerAddress(signer, '/signer');
    const call = await this.bind(appId, method, checkArgs(request.args));
    if (call.fn.constant) invalidInput('/method', `${method} only reads (${call.fn.stateMutability}): use evaluate`);
    const requestKey = keccak256(toUtf8Bytes(requestId));
    const deadline = Date.now() + (timeoutMs ?? this.d.config.submitTimeoutMs);
    const what = `${method} on ${appId}`;
    const abis = call.versions.map((v) => v.abi);
    try {
      const raw = await this.d.sender.send(
        {
          to: call.app.address,
          data: BSN_REQUEST_SELECTOR + abiCoder.encode(['bytes32', 'bytes'], [requestKey, call.data]).slice(2),
          what,
        },
        signer,
        { wait: 'final', timeoutMs: deadline - Date.now() },
      );
      return await this.receipt(call, requestId, raw);
    } catch (error) {
      const first = await this.firstReceipt(error, call, requestId, requestKey, from, deadline).catch((lookup: unknown) => {
        if (isBsnError(lookup, 'CONFLICT')) throw lookup;
        return undefined;
      });
      if (first) return first;
      throw customError(toBsnError(error, { stage: 'submit', what }), abis);
    }
  }

  /**
   * The receipt of the request id's first execution, as the proxy recorded it (one storage
   * slot: content hash ‖ block); ConflictError when it ran other content; undefined when never.
   */
  async firstReceipt(
    error: unknown,
    call: CustomCall,
    requestId: string,
    requestKey: string,
    from: string,
    deadline: number,
  ): Promise<Receipt | undefined> {
    if (isBsnError(error, 'UNAVAILABLE') || isBsnError(error, 'TIMEOUT')) return undefined;
    // Not only RequestAlreadyExecuted: a refusal checked before it (a member removed since) may hide an executed id.
    const slot = keccak256(concat([requestKey, REQUESTS_SLOT]));
    const stored = await this.d.chain.rpc.call<string>('eth_getStorageAt', [call.app.address, slot, 'latest']);
    const word = zeroPadValue(stored, 32);
    const blockNumber = Number(BigInt('0x' + word.slice(-16)));
    if (blockNumber === 0) return undefined;
    const recorded = word.slice(0, 2 + 48).toLowerCase();
    const mine = keccak256(concat([from, call.data]))
      .slice(0, 2 + 48)
      .toLowerCase();
    const logs = await this.d.chain.logs({
      address: call.app.address,
      topics: [CUSTOM_TOPICS.requestExecuted, requestKey],
      fromBlock: blockNumber,
      toBlock: blockNumber,
    });
    const txId = logs[0]?.transactionHash;
    if (recorded !== mine)
      throw new ConflictError(
        `request id ${JSON.stringify(requestId)} was already used for a different request${txId ? ` (tx ${txId})` : ''}`,
        {
          stage: 'validate',
          field: '/requestId',
          ...(txId && { txId }),
          detail: {
            framework: FRAMEWORK,
            message: 'request id reused with different content',
            data: { requestKey, recorded, submitted: mine },
          },
        },
      );
    if (!txId)
      throw new UnavailableError(`the node has no RequestExecuted log for request ${requestId} in block ${blockNumber}`, {
        stage: 'query',
        detail: { framework: FRAMEWORK, data: { requestKey, block: blockNumber } },
      });
    return this.receipt(call, requestId, await this.d.finality.final(txId, deadline));
  }

  async receipt(call: CustomCall, requestId: string, raw: RawReceipt): Promise<Receipt> {
    const number = num(raw.blockNumber);
    const address = call.app.address.toLowerCase();
    const events = raw.logs
      .filter((l) => l.address.toLowerCase() === address)
      .map((l) => customEventFromLog(l, call.app.appId, call.versions))
      .filter((e): e is ChainEvent => e !== undefined);
    return {
      txId: raw.transactionHash,
      requestId,
      status: 'committed',
      block: { number, hash: raw.blockHash },
      events,
      timestamp: await this.d.chain.timestampMs(number, raw.blockHash),
    };
  }

  /** Any function, run by eth_call on the final head (never a write); the result is the UTF-8 JSON array of its outputs. */
  async evaluate(request: EvaluateRequest, caller?: Signer): Promise<EvaluateResult> {
    checkRequestObject(request);
    const method = checkMethod(request.method);
    const from = caller === undefined ? undefined : signerAddress(caller, '/caller');
    const call = await this.bind(request.app.appId, method, checkArgs(request.args));
    const block = await this.d.finality.finalHead();
    let out: string;
    try {
      out = await this.d.chain.call({ to: call.app.address, data: call.data, ...(from && { from }) }, block);
    } catch (error) {
      throw customError(
        toBsnError(error, { stage: 'query', what: `${method} on ${call.app.appId}` }),
        call.versions.map((v) => v.abi),
      );
    }
    const abi = call.versions[call.versions.length - 1]!.abi;
    const values = abi.decodeFunctionResult(call.fn, out);
    return { result: getBytes(encoder.encode(JSON.stringify(jsonOf(values)))), block };
  }

  events(app: CustomAppState, request: EventsRequest): AsyncIterable<ChainEvent> {
    return customEventStream(
      { ...this.d, pollingIntervalMs: this.d.config.pollingIntervalMs, logRangeBlocks: this.d.config.logRangeBlocks },
      app,
      request,
    );
  }
}
