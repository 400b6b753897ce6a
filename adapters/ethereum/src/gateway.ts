import {
  checkEvaluateRequest,
  checkSubmitRequest,
  deadlineOf,
  timedHealth,
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
import { PRESET_FUNCTIONS, appInterface } from './abi.js';
import type { CustomContracts } from './custom-contract/custom-contracts.js';
import { toBsnError } from './errors.js';
import { eventStream } from './events.js';
import { liveValue } from './kv-log.js';
import { LIMITS } from './limits.js';
import { blockInfo, transactionInfo } from './lookups.js';
import type { AdapterParts } from './parts.js';
import { firstReceiptBehind } from './request-record.js';
import { signerAddress } from './signer-bridge.js';
import { prepareUserTransaction, submitUserTransaction } from './user-key.js';
import { resolveWrite, writeReceipt } from './write-plan.js';

export type GatewayDeps = Pick<AdapterParts, 'config' | 'chain' | 'finality' | 'sender' | 'nonces' | 'registry'>;

/**
 * The generic gateway on Ethereum: preset calls on an app's contract, answered from final
 * blocks only. Writes are idempotent on the request id because the app contract records
 * each one it executed (see request-record.ts).
 */
export class EthereumGateway implements Gateway {
  constructor(
    private readonly d: GatewayDeps,
    private readonly custom?: CustomContracts,
  ) {}

  async submit(request: SubmitRequest, signer: Signer): Promise<Receipt> {
    if (await this.custom?.appOf(request?.app)) return this.custom!.gateway.submit(request, signer);
    return this.submitPlan(checkSubmitRequest(request, LIMITS), signer);
  }

  /**
   * Submits a checked write (hosted-key mode); used by `submit` and by the preset KV API.
   * The request id is not read before sending: the gas estimation runs the contract, which
   * refuses an executed id with what it recorded (RequestAlreadyExecuted), and that refusal —
   * or any other — is looked behind by `firstReceiptBehind`, so a repeated id still returns
   * the first receipt and writes nothing, at one round trip less per new write.
   */
  async submitPlan(plan: WritePlan, signer: Signer): Promise<Receipt> {
    const from = signerAddress(signer, '/signer');
    const w = await resolveWrite(plan, this.d.registry);
    const deadline = deadlineOf(plan, this.d.config.submitTimeoutMs);
    const what = whatOf(plan);
    try {
      const raw = await this.d.sender.send({ to: w.app.address, data: w.data, what }, signer, {
        wait: 'final',
        timeoutMs: deadline - Date.now(),
      });
      return await writeReceipt(this.d.chain, w, raw);
    } catch (error) {
      const first = await firstReceiptBehind(this.d, error, w, from, deadline);
      if (first) return first;
      throw toBsnError(error, { stage: 'submit', what });
    }
  }

  async prepare(request: SubmitRequest, account: { publicKey: Uint8Array; algorithm: KeyAlgorithm }): Promise<PreparedTransaction> {
    if (await this.custom?.appOf(request?.app)) return this.custom!.prepare(request, account);
    return prepareUserTransaction(this.d, request, account);
  }

  async submitPrepared(prepared: PreparedTransaction, signature: CompactSignature): Promise<Receipt> {
    if (await this.custom?.appOf(prepared?.request?.app)) return this.custom!.submitPrepared(prepared, signature);
    return submitUserTransaction(this.d, prepared, signature);
  }

  /** `get` answers with the value's hash and the block whose KvWritten log holds the value. */
  async evaluate(request: EvaluateRequest, caller?: Signer): Promise<EvaluateResult> {
    if (await this.custom?.appOf(request?.app)) return this.custom!.gateway.evaluate(request, caller);
    const plan = checkEvaluateRequest(request, LIMITS);
    const from = caller === undefined ? undefined : signerAddress(caller, '/caller');
    const app = await this.d.registry.resolve(plan.appId);
    const fn = PRESET_FUNCTIONS[plan.method];
    const block = await this.d.finality.finalHead();
    let valueHash: string;
    let lastBlock: bigint;
    try {
      const out = await this.d.chain.call(
        { to: app.address, data: appInterface.encodeFunctionData(fn, [plan.key]), ...(from && { from }) },
        block,
      );
      [valueHash, lastBlock] = appInterface.decodeFunctionResult(fn, out) as unknown as [string, bigint];
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what: whatOf(plan) });
    }
    const { value } = await liveValue(this.d.chain, app, plan.key, Number(lastBlock), valueHash);
    return { result: value, block };
  }

  events(request: EventsRequest): AsyncIterable<ChainEvent> {
    if (this.custom) return this.custom.events(request, () => this.presetEvents(request));
    return this.presetEvents(request);
  }

  private presetEvents(request: EventsRequest): AsyncIterable<ChainEvent> {
    return eventStream(
      { ...this.d, pollingIntervalMs: this.d.config.pollingIntervalMs, logRangeBlocks: this.d.config.logRangeBlocks },
      request,
    );
  }

  async block(ref: number | 'latest'): Promise<BlockInfo> {
    return blockInfo(this.d, ref);
  }

  async transaction(txId: string): Promise<TransactionInfo> {
    const info = await transactionInfo(this.d, txId);
    return this.custom ? this.custom.describe(info) : info;
  }

  /** Unhealthy as well when the node serves another chain than the config names. */
  health(): Promise<HealthReport> {
    const { chain, config, finality, registry } = this.d;
    return timedHealth(
      async () => {
        const [node, height, chainId] = await Promise.all([chain.clientVersion(), chain.blockNumber(), chain.chainId()]);
        const ok = chainId === config.chainId;
        return {
          ok,
          height,
          node,
          detail: {
            network: config.name,
            chainId,
            ...(!ok && { problem: `the node serves chain ${chainId}, the config expects ${config.chainId}` }),
            finalHeight: Math.max(0, height - finality.confirmations),
            confirmations: finality.confirmations,
            registry: registry.address,
          },
        };
      },
      { node: 'unreachable', detail: { network: config.name } },
    );
  }
}
