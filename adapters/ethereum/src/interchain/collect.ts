import { getBytes, hexlify, keccak256, toQuantity } from 'ethers';
import { headerFromRpc, headerHash } from './header.js';
import type { EthereumProof } from './proof.js';
import { encodeReceipt, type RpcReceipt } from './receipt.js';
import { buildIndexTrie } from './trie.js';

/** The JSON-RPC access collecting a proof needs (the adapter's RpcClient fits). */
export interface ProofRpc {
  call<T>(method: string, params?: unknown[]): Promise<T>;
}

/** The block, transaction and receipt parts of an EthereumProof, and where the transaction is. */
export interface TxInclusion extends Omit<EthereumProof, 'logIndex' | 'packet'> {
  blockNumber: number;
  blockHash: string;
  /** The receipt as the node reported it (status, logs with their fields). */
  rpcReceipt: RpcReceipt & { transactionHash: string; blockHash: string; blockNumber: string; transactionIndex: string };
}

/** Thrown when the node's data does not add up (a header or root this code cannot rebuild, a reorg under us). */
export class InconsistentChainError extends Error {}

/**
 * Everything that proves `txId` is in its block: the header fields, the raw transaction and
 * the receipt with their trie proofs. Both tries are rebuilt from all of the block's
 * transactions and receipts and their roots compared with the header, so a node that answers
 * inconsistently is caught here rather than by a verifier later. Null when the transaction
 * is not mined.
 */
export async function collectInclusion(rpc: ProofRpc, txId: string): Promise<TxInclusion | null> {
  const rpcReceipt = await rpc.call<TxInclusion['rpcReceipt'] | null>('eth_getTransactionReceipt', [txId]);
  if (!rpcReceipt?.blockHash) return null;
  const blockTag = toQuantity(BigInt(rpcReceipt.blockNumber));
  const [block, receipts] = await Promise.all([
    rpc.call<(Record<string, unknown> & { hash: string; transactions: string[] }) | null>('eth_getBlockByHash', [
      rpcReceipt.blockHash,
      false,
    ]),
    rpc.call<Array<RpcReceipt & { blockHash: string }> | null>('eth_getBlockReceipts', [blockTag]),
  ]);
  if (!block || !receipts) throw new InconsistentChainError(`block ${rpcReceipt.blockHash} of ${txId} is no longer known (reorganised?)`);
  if (receipts.some((r) => r.blockHash !== block.hash)) {
    throw new InconsistentChainError(`block ${Number(BigInt(rpcReceipt.blockNumber))} changed while collecting the proof (reorganised?)`);
  }
  const header = headerFromRpc(block);
  if (headerHash(header) !== block.hash.toLowerCase()) {
    throw new InconsistentChainError(`the header of block ${block.hash} does not hash to its hash: unknown header fields?`);
  }
  const txIndex = Number(BigInt(rpcReceipt.transactionIndex));
  const raws = await Promise.all(block.transactions.map((h) => rpc.call<string | null>('eth_getRawTransactionByHash', [h])));
  raws.forEach((raw, i) => {
    if (!raw || keccak256(raw) !== block.transactions[i]!.toLowerCase()) {
      throw new InconsistentChainError(`transaction ${i} of block ${block.hash} is missing or does not hash to its id`);
    }
  });
  if (block.transactions[txIndex]?.toLowerCase() !== txId.toLowerCase()) {
    throw new InconsistentChainError(`${txId} is not at index ${txIndex} of block ${block.hash}`);
  }
  const encodedReceipts = receipts.map(encodeReceipt);
  const [txTrie, receiptTrie] = await Promise.all([buildIndexTrie(raws.map((r) => getBytes(r!))), buildIndexTrie(encodedReceipts)]);
  if (hexlify(txTrie.root) !== header.transactionsRoot) {
    throw new InconsistentChainError(`the transactions of block ${block.hash} do not rebuild its transactionsRoot`);
  }
  if (hexlify(receiptTrie.root) !== header.receiptsRoot) {
    throw new InconsistentChainError(`the receipts of block ${block.hash} do not rebuild its receiptsRoot`);
  }
  const [transactionProof, receiptProof] = await Promise.all([txTrie.proof(txIndex), receiptTrie.proof(txIndex)]);
  return {
    blockNumber: Number(BigInt(rpcReceipt.blockNumber)),
    blockHash: block.hash.toLowerCase(),
    header,
    txIndex,
    transaction: raws[txIndex]!.toLowerCase(),
    transactionProof: transactionProof.map((n) => hexlify(n)),
    receipt: hexlify(encodedReceipts[txIndex]!),
    receiptProof: receiptProof.map((n) => hexlify(n)),
    rpcReceipt,
  };
}
