import { toQuantity } from 'ethers';
import { JsonRpcError, type RpcClient } from './rpc.js';

/** eth_getLogs entries, as the node returns them. */
export interface RawLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: string;
  blockHash: string;
  transactionHash: string;
  transactionIndex: string;
  logIndex: string;
  removed?: boolean;
}

export interface RawReceipt {
  transactionHash: string;
  blockNumber: string;
  blockHash: string;
  status: string;
  from: string;
  to: string | null;
  contractAddress: string | null;
  gasUsed: string;
  logs: RawLog[];
}

export interface RawBlock {
  number: string;
  hash: string;
  parentHash: string;
  timestamp: string;
  gasLimit: string;
  baseFeePerGas?: string;
  transactions: string[];
}

export interface RawTransaction {
  hash: string;
  from: string;
  to: string | null;
  input: string;
  nonce: string;
  blockNumber: string | null;
  blockHash: string | null;
}

export type BlockTag = number | 'latest' | 'pending';

export const tag = (b: BlockTag): string => (typeof b === 'number' ? toQuantity(b) : b);
export const num = (hex: string): number => Number(BigInt(hex));

/** Typed JSON-RPC reads the adapter needs, plus a small cache of block timestamps. */
export class ChainReader {
  private readonly timestamps = new Map<number, { hash: string; ms: number }>();

  constructor(readonly rpc: RpcClient) {}

  async blockNumber(): Promise<number> {
    return num(await this.rpc.call<string>('eth_blockNumber'));
  }

  async chainId(): Promise<number> {
    return num(await this.rpc.call<string>('eth_chainId'));
  }

  async clientVersion(): Promise<string> {
    return this.rpc.call<string>('web3_clientVersion');
  }

  /** null when the node has no such block. */
  async block(n: BlockTag): Promise<RawBlock | null> {
    const b = await this.rpc.call<RawBlock | null>('eth_getBlockByNumber', [tag(n), false]);
    if (b) this.remember(b);
    return b;
  }

  /** Block time in ms since epoch (cached per block number and hash). */
  async timestampMs(n: number, hash?: string): Promise<number> {
    const cached = this.timestamps.get(n);
    if (cached && (!hash || cached.hash === hash)) return cached.ms;
    const b = await this.block(n);
    if (!b) throw new Error(`block ${n} is not known to the node`);
    return num(b.timestamp) * 1000;
  }

  private remember(b: RawBlock): void {
    if (this.timestamps.size > 4096) this.timestamps.clear();
    this.timestamps.set(num(b.number), { hash: b.hash, ms: num(b.timestamp) * 1000 });
  }

  /**
   * A transaction's receipt (null while pending, or while the node is still indexing
   * transactions and cannot say yet) and the newest block, in one round trip. The head is
   * remembered like any block, so a receipt in the head needs no further fetch for its
   * timestamp.
   */
  async receiptAndHead(hash: string): Promise<{ receipt: RawReceipt | null; head: RawBlock | null }> {
    const {
      receipts: [answer],
      head,
    } = await this.receiptsAndHead([hash]);
    if (answer!.status === 'rejected') throw answer!.reason;
    return { receipt: answer!.value, head };
  }

  /**
   * Several receipts and the newest block in one round trip (see `receiptAndHead`). A node
   * error for one receipt settles only that one; a transport failure or a failed head read
   * rejects the whole call, as nothing in it can be trusted then.
   */
  async receiptsAndHead(hashes: string[]): Promise<{ receipts: PromiseSettledResult<RawReceipt | null>[]; head: RawBlock | null }> {
    const answers = this.rpc.batch<unknown[]>([
      ...hashes.map((hash) => ({ method: 'eth_getTransactionReceipt', params: [hash] })),
      { method: 'eth_getBlockByNumber', params: ['latest', false] },
    ]);
    const head = (await answers[hashes.length]) as RawBlock | null;
    const receipts = await Promise.allSettled(
      answers.slice(0, hashes.length).map((r) => (r as Promise<RawReceipt | null>).catch(notIndexedYet)),
    );
    if (head) this.remember(head);
    return { receipts, head };
  }

  receipt(hash: string): Promise<RawReceipt | null> {
    return this.rpc.call<RawReceipt | null>('eth_getTransactionReceipt', [hash]);
  }

  transaction(hash: string): Promise<RawTransaction | null> {
    return this.rpc.call<RawTransaction | null>('eth_getTransactionByHash', [hash]);
  }

  code(address: string, at: BlockTag = 'latest'): Promise<string> {
    return this.rpc.call<string>('eth_getCode', [address, tag(at)]);
  }

  async balance(address: string, at: BlockTag = 'latest'): Promise<bigint> {
    return BigInt(await this.rpc.call<string>('eth_getBalance', [address, tag(at)]));
  }

  async nonce(address: string, at: BlockTag = 'latest'): Promise<number> {
    return num(await this.rpc.call<string>('eth_getTransactionCount', [address, tag(at)]));
  }

  /** eth_call; throws JsonRpcError on revert (with the revert data). */
  call(tx: { to: string; data: string; from?: string }, at: BlockTag = 'latest'): Promise<string> {
    return this.rpc.call<string>('eth_call', [tx, tag(at)]);
  }

  /** Logs of `address` in [from, to], in chain order (block, log index). */
  async logs(filter: { address: string; topics: (string | string[] | null)[]; fromBlock: number; toBlock: number }): Promise<RawLog[]> {
    const logs = await this.rpc.call<RawLog[]>('eth_getLogs', [
      { address: filter.address, topics: filter.topics, fromBlock: tag(filter.fromBlock), toBlock: tag(filter.toBlock) },
    ]);
    return logs.filter((l) => !l.removed).sort((a, b) => num(a.blockNumber) - num(b.blockNumber) || num(a.logIndex) - num(b.logIndex));
  }
}

/**
 * geth answers receipt look-ups with "transaction indexing is in progress" while its
 * transaction index is being built (right after start-up): no answer yet, like a pending tx.
 */
function notIndexedYet(error: unknown): null {
  if (error instanceof JsonRpcError && /transaction indexing is in progress/i.test(error.rpcMessage)) return null;
  throw error;
}
