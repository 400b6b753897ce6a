/**
 * Block and transaction look-ups, from irreversible blocks only (`latest` is the last
 * irreversible block). Leap 4 has no history plugin: a transaction is found by
 * `get_transaction_status` and its actions by the trace API.
 */
import {
  InvalidInputError,
  NotFoundError,
  PRESET_METHODS,
  checkBlockRef,
  type BlockInfo,
  type ChainEvent,
  type TransactionInfo,
} from '@bsn/contract';
import { AntelopeApiError } from './antelope/index.js';
import type { AppRegistry } from './apps.js';
import type { ContractAbis } from './contract-abis.js';
import { toBsnError } from './errors.js';
import { eventsOf, writeOf } from './events.js';
import { chainTime } from './finality.js';
import type { NodeApi, NodeBlock, TraceTransaction } from './node-api.js';

/** Transaction ids are SHA-256: 64 hex digits. */
export function checkTxId(txId: unknown, field = '/txId'): string {
  if (typeof txId !== 'string' || !/^[0-9a-fA-F]{64}$/.test(txId)) {
    throw new InvalidInputError(`${field}: an EOS transaction id is 64 hex digits`, { field });
  }
  return txId.toLowerCase();
}

/** The actions that write preset data (a `relay` carries a put or del). */
const WRITES = new Set(['put', 'del', 'relay']);
/** The BSN preset method of each write action. */
const METHOD_OF: Record<string, string> = { put: PRESET_METHODS.put, del: PRESET_METHODS.delete };

const txIdOf = (receipt: NodeBlock['transactions'][number]): string => (typeof receipt.trx === 'string' ? receipt.trx : receipt.trx.id);

export class Lookups {
  constructor(
    private readonly api: NodeApi,
    private readonly apps: AppRegistry,
    private readonly abis: ContractAbis,
  ) {}

  async block(ref: number | 'latest'): Promise<BlockInfo> {
    const wanted = checkBlockRef(ref);
    try {
      const info = await this.api.info();
      const lib = info.last_irreversible_block_num;
      if (wanted !== 'latest' && wanted > lib) {
        throw new NotFoundError(`block ${wanted} is not irreversible yet (last irreversible: ${lib})`, { stage: 'query', field: '/block' });
      }
      const block = await this.api.block(wanted === 'latest' ? lib : wanted);
      return {
        number: block.block_num,
        hash: block.id,
        parentHash: block.previous,
        timestamp: chainTime(block.timestamp),
        txIds: block.transactions.map(txIdOf),
      };
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what: `block ${wanted}` });
    }
  }

  async transaction(txId: string): Promise<TransactionInfo> {
    const id = checkTxId(txId);
    try {
      const status = await this.api.transactionStatus(id);
      const trace = await this.trace(id);
      if (!trace || (status.state !== 'IRREVERSIBLE' && status.state !== 'UNKNOWN')) {
        throw new NotFoundError(`transaction ${id} is not in an irreversible block (state ${status.state})`, {
          stage: 'query',
          field: '/txId',
        });
      }
      const hash = status.state === 'IRREVERSIBLE' && status.block_id ? status.block_id : (await this.api.block(trace.block_num)).id;
      const first = trace.actions[0];
      const method = first && (await this.methodOf(first));
      const events = await this.events(trace);
      // `app` is the BSN app written to (its events name it), not the contract account: a
      // shared contract serves many apps
      const app = events[0]?.app;
      return {
        txId: id,
        block: { number: trace.block_num, hash },
        valid: trace.status === 'executed',
        validationCode: trace.status,
        ...(app !== undefined && { app }),
        ...(method && { method }),
        events,
      };
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what: `transaction ${id}` });
    }
  }

  /**
   * The BSN method a transaction called: for a preset write its method (`del` is `delete`, and a
   * `relay` — a client-signed write the node could not push itself — is the write it carries),
   * otherwise the action's own name.
   */
  private async methodOf(action: TraceTransaction['actions'][number]): Promise<string> {
    if (!WRITES.has(action.action) || action.account !== action.receiver) return action.action;
    const abi = await this.abis.of(action.account).catch(() => undefined);
    if (!abi) return action.action;
    try {
      const write = writeOf(action.action, Uint8Array.from(Buffer.from(action.data, 'hex')), abi, action.account);
      return write ? (METHOD_OF[write.action] ?? write.action) : action.action;
    } catch {
      return action.action;
    }
  }

  private async trace(id: string): Promise<TraceTransaction | undefined> {
    try {
      return await this.api.transactionTrace(id);
    } catch (error) {
      if (error instanceof AntelopeApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  /**
   * The preset events of a transaction: writes to apps of the registry's contract, and writes
   * to a dedicated app at the account the registry places it in (no other account is believed).
   */
  private async events(trace: TraceTransaction): Promise<ChainEvent[]> {
    const accounts = new Set(trace.actions.filter((a) => a.account === a.receiver && WRITES.has(a.action)).map((a) => a.account));
    const events: ChainEvent[] = [];
    for (const account of accounts) {
      const shared = account === this.apps.contract;
      const abi = shared ? await this.abis.of(account) : await this.abis.of(account).catch(() => undefined);
      if (!abi) continue;
      const appIds = new Set<string>();
      for (const a of trace.actions.filter((x) => x.account === account && x.receiver === account)) {
        try {
          const appId = writeOf(a.action, Uint8Array.from(Buffer.from(a.data, 'hex')), abi, account)?.data.appid;
          if (appId !== undefined) appIds.add(appId);
        } catch (error) {
          if (shared) throw error; // another account's contract may name its actions alike
        }
      }
      for (const appId of appIds) {
        if (!shared && (await this.apps.locate(appId).catch(() => undefined))?.account !== account) continue;
        events.push(...eventsOf(trace.actions, abi, { appId, account }, trace.id, trace.block_num));
      }
    }
    return events.sort((a, b) => a.checkpoint.index - b.checkpoint.index);
  }
}
