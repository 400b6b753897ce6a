import {
  checkBlockRef,
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
import type { Gateway as SdkGateway } from '@hyperledger/fabric-gateway';
import { chaincodeEventsOf, type BlockTransaction } from './blocks.js';
import type { PresetChaincode } from './chaincode-client.js';
import type { ResolvedConfig } from './config.js';
import type { FabricConnection } from './connection.js';
import { chainEventOf, eventStream } from './events.js';
import type { Ledger } from './ledger.js';
import { LIMITS } from './limits.js';
import type { Transactor } from './transactions.js';
import type { UserAuthorisation, UserKeyRelay } from './user-key.js';
import { checkTxId } from './validation.js';

export interface GatewayDeps {
  config: ResolvedConfig;
  connection: FabricConnection;
  ledger: Ledger;
  transactor: Transactor;
  chaincode: PresetChaincode;
  userKey: UserKeyRelay;
}

/** The preset chaincode's arguments for a write: app, request id, key and, for `put`, the value. */
export function writeArgs(plan: WritePlan): Array<string | Uint8Array> {
  return plan.method === 'put' ? [plan.appId, plan.requestId, plan.key, plan.value!] : [plan.appId, plan.requestId, plan.key];
}

/** The contract's gateway on one channel. */
export class FabricGateway implements Gateway {
  constructor(private readonly d: GatewayDeps) {}

  /** A checked preset write in hosted-key mode: the signer's own MSP identity endorses and submits it. */
  async submitPlan(plan: WritePlan, signer: Signer): Promise<Receipt> {
    const gateway = await this.d.connection.gatewayFor(signer);
    const committed = await this.d.transactor.transact(gateway, plan.method, writeArgs(plan), {
      what: whatOf(plan),
      deadline: deadlineOf(plan, this.d.config.submitTimeoutMs),
      kvResult: true,
    });
    return this.d.transactor.receiptOf(committed, plan.requestId);
  }

  async submit(request: SubmitRequest, signer: Signer): Promise<Receipt> {
    return this.submitPlan(checkSubmitRequest(request, LIMITS), signer);
  }

  prepare(request: SubmitRequest, account: { publicKey: Uint8Array; algorithm: KeyAlgorithm }): Promise<PreparedTransaction> {
    return this.d.userKey.prepare(request, account);
  }

  submitPrepared(prepared: PreparedTransaction, signature: CompactSignature): Promise<Receipt> {
    return this.d.userKey.submitPrepared(prepared, signature);
  }

  async evaluate(request: EvaluateRequest, caller?: Signer): Promise<EvaluateResult> {
    const { appId, key } = checkEvaluateRequest(request, LIMITS);
    let gateway: SdkGateway | undefined;
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
    const { config, ledger, chaincode } = this.d;
    const base = {
      network: config.name,
      channel: config.channel,
      chaincode: config.chaincode,
      mspId: config.org.mspId,
      peer: config.org.peer.endpoint,
    };
    const node = `hyperledger-fabric/v${config.fabricVersion ?? 'unknown'}`;
    return timedHealth(
      async () => {
        const [info, contract] = await Promise.all([ledger.info(), chaincode.info()]);
        return {
          ok: true,
          height: Math.max(0, info.height - 1),
          node,
          detail: {
            ...base,
            blocks: info.height,
            currentBlockHash: info.currentBlockHash,
            contract,
            nodeVersionFrom: 'network config (fabricVersion)',
          },
        };
      },
      { node, detail: base },
    );
  }
}
