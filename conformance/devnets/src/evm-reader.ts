/**
 * A `ChainReader` for any EVM JSON-RPC node (anvil, geth, …): plain `eth_*` calls over fetch,
 * no library shared with an adapter, so what it reports is the node's word.
 */
import type { ChainBlock, ChainReader } from '@bsn/contract';
import { jsonRpc } from './readiness.js';

interface RpcBlock {
  number: string;
  hash: string;
  timestamp: string;
  transactions: string[];
}

export function evmJsonRpcReader(rpcUrl: string): ChainReader {
  const reader: ChainReader = {
    source: `eth JSON-RPC ${rpcUrl}`,
    async head() {
      return Number(await jsonRpc<string>(rpcUrl, 'eth_blockNumber'));
    },
    async block(number: number): Promise<ChainBlock | undefined> {
      const b = await jsonRpc<RpcBlock | null>(rpcUrl, 'eth_getBlockByNumber', [`0x${number.toString(16)}`, false]);
      if (!b) return undefined;
      return { number: Number(b.number), hash: b.hash, timestampMs: Number(b.timestamp) * 1000, txIds: b.transactions };
    },
    async transaction(txId: string) {
      const r = await jsonRpc<{ blockNumber: string; status: string } | null>(rpcUrl, 'eth_getTransactionReceipt', [txId]);
      if (!r) return undefined;
      const block = await reader.block(Number(r.blockNumber));
      return { block: Number(r.blockNumber), valid: r.status === '0x1', timestampMs: block?.timestampMs ?? 0 };
    },
  };
  return reader;
}
