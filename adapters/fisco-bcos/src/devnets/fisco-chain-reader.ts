import type { ChainBlock, ChainReader, NetworkConfig } from '@bsn/contract';
import { jsonRpc } from '@bsn/devnets';

interface BlockJson {
  number: number;
  hash: string;
  timestamp: number;
  transactions?: string[];
}

/**
 * The conformance suite's independent view of a FISCO BCOS group: bare JSON-RPC calls to the
 * node (`[groupID, nodeName, …]` params, plain-integer block numbers), none of the adapter's code.
 * A transaction is valid when its receipt status is 0; its time is its block's (FISCO stamps
 * blocks in milliseconds).
 */
export function fiscoChainReader(network: NetworkConfig): ChainReader {
  const url = String(network['rpcUrl']);
  const group = String(network['groupId'] ?? 'group0');
  const call = <T>(method: string, params: unknown[]) => jsonRpc<T>(url, method, [group, '', ...params]);
  const block = async (number: number): Promise<ChainBlock | undefined> => {
    if (number > (await call<number>('getBlockNumber', []))) return undefined;
    const b = await call<BlockJson>('getBlockByNumber', [number, false, true]);
    return { number: b.number, hash: b.hash, timestampMs: b.timestamp, txIds: b.transactions ?? [] };
  };
  return {
    source: `FISCO BCOS JSON-RPC ${url} (${group})`,
    head: () => call<number>('getBlockNumber', []),
    block,
    async transaction(txId) {
      let receipt: { blockNumber: number; status: number };
      try {
        receipt = await call('getTransactionReceipt', [txId, false]);
      } catch (error) {
        // 3008: the ledger has no such receipt
        if (/GetTransactionReceiptByHash/.test((error as Error).message)) return undefined;
        throw error;
      }
      const b = await block(receipt.blockNumber);
      return b && { block: receipt.blockNumber, valid: receipt.status === 0, timestampMs: b.timestampMs };
    },
  };
}
