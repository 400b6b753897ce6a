/**
 * The node endpoints this adapter uses, typed. Leap 4 has no history plugin: transactions are
 * found through `get_transaction_status` (finality tracking) and the trace API, blocks through
 * `get_block`.
 */
import { AntelopeRpc, type RawReceipt } from './antelope/index.js';

export type { RawReceipt };

export interface NodeInfo {
  server_version_string?: string;
  server_full_version_string?: string;
  chain_id: string;
  head_block_num: number;
  head_block_id: string;
  head_block_time: string;
  last_irreversible_block_num: number;
  last_irreversible_block_id: string;
}

export interface BlockTransactionReceipt {
  status: string;
  cpu_usage_us: number;
  net_usage_words: number;
  /** An id for implicit transactions, else the packed transaction. */
  trx: string | { id: string; signatures: string[]; compression: string; packed_context_free_data: string; packed_trx: string };
}

export interface NodeBlock {
  id: string;
  block_num: number;
  timestamp: string;
  producer: string;
  confirmed: number;
  previous: string;
  transaction_mroot: string;
  action_mroot: string;
  schedule_version: number;
  new_producers: unknown;
  header_extensions?: Array<[number, string]>;
  producer_signature: string;
  transactions: BlockTransactionReceipt[];
}

/** A signed block as stored: header fields with raw extensions, the producer's signature, the receipts. */
export interface RawBlock {
  timestamp: string;
  producer: string;
  confirmed: number;
  previous: string;
  transaction_mroot: string;
  action_mroot: string;
  schedule_version: number;
  new_producers?: unknown;
  header_extensions?: Array<[number, string]>;
  producer_signature: string;
  transactions: RawReceipt[];
}

export interface TraceAction {
  global_sequence: number;
  receiver: string;
  account: string;
  action: string;
  authorization: Array<{ account: string; permission: string }>;
  /** hex (the node runs with --trace-no-abis) */
  data: string;
  return_value?: string;
}

export interface TraceTransaction {
  id: string;
  block_num: number;
  status: string;
  actions: TraceAction[];
}

export interface TraceBlock {
  id: string;
  number: number;
  previous_id: string;
  status: 'irreversible' | 'pending' | string;
  timestamp: string;
  transactions: TraceTransaction[];
}

export interface TransactionStatus {
  state: 'IRREVERSIBLE' | 'IN_BLOCK' | 'LOCALLY_APPLIED' | 'FORKED_OUT' | 'FAILED' | 'UNKNOWN' | string;
  block_number?: number;
  block_id?: string;
  block_timestamp?: string;
  expiration?: string;
  head_number: number;
  irreversible_number: number;
}

export interface TableRowsRequest {
  code: string;
  /** Decimal u64 or a name. */
  scope: string;
  table: string;
  index_position?: number;
  key_type?: 'i64' | 'i128';
  lower_bound?: string;
  upper_bound?: string;
  limit?: number;
  reverse?: boolean;
}

export interface TableRows<T> {
  rows: T[];
  more: boolean;
  next_key?: string;
}

export interface ActionTraceOfPush {
  receipt?: { receiver: string; global_sequence: number | string };
  receiver: string;
  act: { account: string; name: string; data?: unknown; hex_data?: string };
}

export interface PushResult {
  transaction_id: string;
  processed: { id: string; block_num: number; action_traces: ActionTraceOfPush[]; except?: unknown };
}

export interface ReadOnlyResult {
  processed: {
    block_num: number;
    action_traces: Array<{ receiver: string; act: { account: string; name: string }; return_value_hex_data?: string }>;
    except?: { code?: number; name?: string; message?: string } | null;
  };
}

export interface ProducerSchedule {
  active: {
    version: number;
    producers: Array<{ producer_name: string; authority: [number, { threshold: number; keys: Array<{ key: string; weight: number }> }] }>;
  };
}

/** An account as `get_account` reports it: the permissions and who satisfies them. */
export interface AccountInfo {
  account_name: string;
  permissions: Array<{
    perm_name: string;
    parent: string;
    required_auth: {
      threshold: number;
      keys: Array<{ key: string; weight: number }>;
      accounts: Array<{ permission: { actor: string; permission: string }; weight: number }>;
      waits: Array<{ wait_sec: number; weight: number }>;
    };
  }>;
}

export class NodeApi {
  constructor(readonly rpc: AntelopeRpc) {}

  get url(): string {
    return this.rpc.url;
  }

  info(): Promise<NodeInfo> {
    return this.rpc.call('/v1/chain/get_info');
  }

  block(numberOrId: number | string): Promise<NodeBlock> {
    return this.rpc.call('/v1/chain/get_block', { block_num_or_id: numberOrId });
  }

  rawBlock(number: number): Promise<RawBlock> {
    return this.rpc.call('/v1/chain/get_raw_block', { block_num_or_id: number });
  }

  blockInfo(number: number): Promise<{ id: string; block_num: number }> {
    return this.rpc.call('/v1/chain/get_block_info', { block_num: number });
  }

  /** Only for reversible blocks (Leap keeps header states in its fork database). */
  blockHeaderState(number: number): Promise<{ id: string; pending_schedule: { schedule_hash: string } }> {
    return this.rpc.call('/v1/chain/get_block_header_state', { block_num_or_id: number });
  }

  traceBlock(number: number): Promise<TraceBlock> {
    return this.rpc.call('/v1/trace_api/get_block', { block_num: number });
  }

  transactionTrace(id: string): Promise<TraceTransaction> {
    return this.rpc.call('/v1/trace_api/get_transaction_trace', { id });
  }

  transactionStatus(id: string): Promise<TransactionStatus> {
    return this.rpc.call('/v1/chain/get_transaction_status', { id });
  }

  tableRows<T>(request: TableRowsRequest): Promise<TableRows<T>> {
    return this.rpc.call('/v1/chain/get_table_rows', { json: true, limit: 100, ...request });
  }

  account(name: string): Promise<AccountInfo> {
    return this.rpc.call('/v1/chain/get_account', { account_name: name });
  }

  rawAbi(account: string): Promise<{ account_name: string; code_hash: string; abi_hash: string; abi?: string }> {
    return this.rpc.call('/v1/chain/get_raw_abi', { account_name: account });
  }

  codeHash(account: string): Promise<{ account_name: string; code_hash: string }> {
    return this.rpc.call('/v1/chain/get_code_hash', { account_name: account });
  }

  producerSchedule(): Promise<ProducerSchedule> {
    return this.rpc.call('/v1/chain/get_producer_schedule');
  }

  /** Runs a transaction without authorizations against the head state and keeps nothing (Leap 4's read-only transactions). */
  sendReadOnlyTransaction(packed: Uint8Array): Promise<ReadOnlyResult> {
    return this.rpc.call('/v1/chain/send_read_only_transaction', {
      transaction: { signatures: [], compression: 0, packed_context_free_data: '', packed_trx: Buffer.from(packed).toString('hex') },
    });
  }

  sendTransaction(packed: Uint8Array, signatures: string[]): Promise<PushResult> {
    return this.rpc.call('/v1/chain/send_transaction', {
      signatures,
      compression: 0,
      packed_context_free_data: '',
      packed_trx: Buffer.from(packed).toString('hex'),
    });
  }
}
