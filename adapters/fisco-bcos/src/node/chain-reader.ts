import type { ReceiptLog } from '../protocol/receipt.js';
import type { FiscoRpc } from './fisco-rpc.js';
import type {
  BlockHeaderJson,
  BlockJson,
  FilteredLogJson,
  GroupInfoJson,
  NodeIniConfig,
  ReceiptJson,
  TransactionJson,
} from './node-json.js';

export const hexToBytes = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/^0x/i, ''), 'hex'));
export const bytesToHex = (b: Uint8Array): string => '0x' + Buffer.from(b).toString('hex');

/** A receipt's logs as bytes, addresses lowercase without 0x (as a receipt hash takes them). */
export function logsOf(receipt: ReceiptJson): ReceiptLog[] {
  return receipt.logEntries.map((l) => ({
    address: l.address.replace(/^0x/i, '').toLowerCase(),
    topics: l.topics.map(hexToBytes),
    data: hexToBytes(l.data),
  }));
}

/** The filter of FISCO's `getLogs`: hex block quantities, addresses, topic alternatives. */
export interface LogFilter {
  fromBlock: number;
  toBlock: number;
  address: string | string[];
  topics: Array<string | string[] | null>;
}

/** How many sealed blocks `blockOf` keeps (writes sent together land in the same few blocks). */
const SEALED_BLOCKS_KEPT = 64;

/** Typed reads of one group of a FISCO BCOS 3.x node. */
export class ChainReader {
  private readonly sealed = new Map<number, Promise<BlockJson>>();

  constructor(readonly rpc: FiscoRpc) {}

  /**
   * The block holding `txId` (with its transactions' hashes), read once for all the receipts of
   * one block: a sealed FISCO block never changes (PBFT finality), so the block is kept — and read
   * again only when it does not hold `txId` (another chain at the same endpoint, e.g. a devnet
   * started afresh). Failed reads are not kept.
   */
  async blockOf(number: number, txId: string): Promise<BlockJson> {
    const holds = (b: BlockJson) => (b.transactions ?? []).some((t) => (typeof t === 'string' ? t : t.hash) === txId);
    const kept = this.sealed.get(number);
    if (kept) {
      const block = await kept.catch(() => undefined);
      if (block && holds(block)) return block;
    }
    const read = this.block(number);
    this.sealed.set(number, read);
    read.catch(() => this.sealed.get(number) === read && this.sealed.delete(number));
    while (this.sealed.size > SEALED_BLOCKS_KEPT) this.sealed.delete(this.sealed.keys().next().value!);
    return read;
  }

  blockNumber(): Promise<number> {
    return this.rpc.group<number>('getBlockNumber');
  }

  header(number: number): Promise<BlockHeaderJson> {
    return this.rpc.group<BlockHeaderJson>('getBlockByNumber', [number, true, true]);
  }

  block(number: number): Promise<BlockJson> {
    return this.rpc.group<BlockJson>('getBlockByNumber', [number, false, true]);
  }

  receipt(txId: string, withProof = false): Promise<ReceiptJson> {
    return this.rpc.group<ReceiptJson>('getTransactionReceipt', [txId, withProof]);
  }

  transaction(txId: string, withProof = false): Promise<TransactionJson> {
    return this.rpc.group<TransactionJson>('getTransaction', [txId, withProof]);
  }

  async call(to: string, data: Uint8Array): Promise<{ status: number; output: Uint8Array; blockNumber: number }> {
    const r = await this.rpc.group<{ status: number; output: string; blockNumber: number }>('call', [to, bytesToHex(data)]);
    return { status: r.status, output: hexToBytes(r.output), blockNumber: r.blockNumber };
  }

  logs(filter: LogFilter): Promise<FilteredLogJson[]> {
    return this.rpc.request<FilteredLogJson[]>('getLogs', [
      this.rpc.groupId,
      { ...filter, fromBlock: '0x' + filter.fromBlock.toString(16), toBlock: '0x' + filter.toBlock.toString(16) },
    ]);
  }

  sealers(): Promise<Array<{ nodeID: string; weight: number }>> {
    return this.rpc.group('getSealerList');
  }

  async nodeInfo(): Promise<NodeIniConfig> {
    const info = await this.rpc.request<GroupInfoJson>('getGroupInfo', [this.rpc.groupId]);
    const node = info.nodeList[0];
    if (!node) throw new Error(`group ${this.rpc.groupId} lists no node`);
    return JSON.parse(node.iniConfig) as NodeIniConfig;
  }
}

/** The node software as the node reports it: the emulator names itself, a real node its binary version. */
export function nodeSoftwareOf(ini: NodeIniConfig): string {
  if (ini.emulator) return `${ini.emulator.name}/${ini.emulator.version} (emulator of FISCO BCOS ${ini.binaryInfo?.version ?? '3.x'})`;
  return `FISCO-BCOS/${ini.binaryInfo?.version ?? 'unknown'}`;
}
