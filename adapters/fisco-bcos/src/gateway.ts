import {
  checkEvaluateRequest,
  checkSubmitRequest,
  timedHealth,
  type AppRef,
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
} from '@bsn/contract';
import { checkSigner } from './accounts.js';
import { KEPT_APP_MS } from './custom-contract/custom-apps.js';
import type { CustomContracts } from './custom-contract/custom-contracts.js';
import type { ChainContext } from './chain-context.js';
import { appEvents } from './events.js';
import { LIMITS } from './limits.js';
import { Lookups } from './lookups.js';
import { nodeSoftwareOf } from './node/chain-reader.js';
import type { PresetWrites } from './preset-writes.js';
import { UserKeyWrites } from './user-key.js';

/** The gateway over one FISCO BCOS group: generic invocations of the preset contract, events, look-ups, health. */
export class FiscoGateway implements Gateway {
  private readonly lookups: Lookups;
  private readonly userKey: UserKeyWrites;

  constructor(
    private readonly c: ChainContext,
    private readonly writes: PresetWrites,
    private readonly custom?: CustomContracts,
  ) {
    this.lookups = new Lookups(c);
    this.userKey = new UserKeyWrites(c, writes);
  }

  async submit(request: SubmitRequest, signer: Signer): Promise<Receipt> {
    const custom = await this.custom?.appOf(request?.app, KEPT_APP_MS);
    if (custom) return this.custom!.gateway.submit(custom, request, signer);
    const plan = checkSubmitRequest(request, LIMITS);
    checkSigner(this.c.suite, signer);
    return this.writes.write(plan, signer);
  }

  prepare(request: SubmitRequest, account: { publicKey: Uint8Array; algorithm: KeyAlgorithm }): Promise<PreparedTransaction> {
    return this.userKey.prepare(request, account);
  }

  submitPrepared(prepared: PreparedTransaction, signature: CompactSignature): Promise<Receipt> {
    return this.userKey.submitPrepared(prepared, signature);
  }

  /** `get` through a read-only `call`: a call never writes, whatever it runs. */
  async evaluate(request: EvaluateRequest): Promise<EvaluateResult> {
    const custom = await this.custom?.appOf(request?.app, KEPT_APP_MS);
    if (custom) return this.custom!.gateway.evaluate(custom, request);
    const plan = checkEvaluateRequest(request, LIMITS);
    const app = await this.c.apps.get(plan.appId);
    const [value] = await this.c.calls.view(this.c.calls.app, app.address, 'get', [plan.key], `get on ${plan.appId}`);
    return { result: Uint8Array.from(Buffer.from(String(value).slice(2), 'hex')) };
  }

  async *events(request: EventsRequest): AsyncIterable<ChainEvent> {
    const custom = await this.custom?.appOf(request?.app, KEPT_APP_MS);
    yield* custom ? this.custom!.gateway.events(custom, request) : appEvents(this.c, request);
  }

  block(ref: number | 'latest', _scope?: AppRef): Promise<BlockInfo> {
    return this.lookups.block(ref);
  }

  transaction(txId: string, _scope?: AppRef): Promise<TransactionInfo> {
    return this.lookups.transaction(txId);
  }

  health(): Promise<HealthReport> {
    const node = nodeSoftwareOf(this.c.node);
    return timedHealth(
      async () => ({
        ok: true,
        height: await this.c.chain.blockNumber(),
        node,
        detail: {
          endpoint: this.c.chain.rpc.endpoint,
          chainId: this.c.config.chainId,
          groupId: this.c.config.groupId,
          crypto: this.c.suite.mode,
        },
      }),
      { node, detail: { endpoint: this.c.chain.rpc.endpoint } },
    );
  }
}
