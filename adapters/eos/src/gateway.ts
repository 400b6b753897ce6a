/** The gateway: preset writes (hosted and user key), reads, events, look-ups and health, each in its own file. */
import {
  NotFoundError,
  checkEvaluateRequest,
  checkSubmitRequest,
  timedHealth,
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
import type { EventStream } from './event-stream.js';
import { LIMITS } from './limits.js';
import type { Lookups } from './lookups.js';
import type { NodeApi } from './node-api.js';
import type { EosPresetKv } from './preset-kv.js';
import type { PresetWrites } from './preset-writes.js';
import type { UserKeyWrites } from './user-key.js';

export class EosGateway implements Gateway {
  constructor(
    private readonly writes: PresetWrites,
    private readonly userKeys: UserKeyWrites,
    private readonly kv: EosPresetKv,
    private readonly stream: EventStream,
    private readonly lookups: Lookups,
    private readonly api: NodeApi,
  ) {}

  async submit(request: SubmitRequest, signer: Signer): Promise<Receipt> {
    return this.writes.write(checkSubmitRequest(request, LIMITS), signer);
  }

  prepare(request: SubmitRequest, account: { publicKey: Uint8Array; algorithm: KeyAlgorithm }): Promise<PreparedTransaction> {
    return this.userKeys.prepare(request, account);
  }

  submitPrepared(prepared: PreparedTransaction, signature: CompactSignature): Promise<Receipt> {
    return this.userKeys.submitPrepared(prepared, signature);
  }

  async evaluate(request: EvaluateRequest): Promise<EvaluateResult> {
    const plan = checkEvaluateRequest(request, LIMITS);
    const entry = await this.kv.get({ appId: plan.appId }, plan.key);
    if (!entry) {
      throw new NotFoundError(`get on ${plan.appId}: key ${JSON.stringify(plan.key)} does not exist`, { stage: 'query', field: '/args/0' });
    }
    return { result: entry.value, block: entry.block };
  }

  events(request: EventsRequest): AsyncIterable<ChainEvent> {
    return this.stream.events(request);
  }

  block(ref: number | 'latest'): Promise<BlockInfo> {
    return this.lookups.block(ref);
  }

  transaction(txId: string): Promise<TransactionInfo> {
    return this.lookups.transaction(txId);
  }

  health(): Promise<HealthReport> {
    return timedHealth(
      async () => {
        const info = await this.api.info();
        return {
          ok: true,
          height: info.head_block_num,
          node: nodeName(info),
          detail: { chainId: info.chain_id, url: this.api.url, lastIrreversible: info.last_irreversible_block_num },
        };
      },
      { node: 'unreachable', detail: { url: this.api.url } },
    );
  }
}

/** The node software as it reports itself: `nodeos/v4.1.0-dev-3916ba05…`. */
export const nodeName = (info: { server_full_version_string?: string; server_version_string?: string }): string =>
  `nodeos/${info.server_full_version_string ?? info.server_version_string ?? 'unknown'}`;
