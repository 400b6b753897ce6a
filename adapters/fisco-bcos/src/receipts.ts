import type { Receipt } from '@bsn/contract';
import type { AppLocation } from './app-directory.js';
import { appEventOf } from './app-events.js';
import type { ContractCalls } from './contracts/contract-calls.js';
import { toBsnError } from './errors.js';
import { logsOf, type ChainReader } from './node/chain-reader.js';
import type { ReceiptJson } from './node/node-json.js';

/**
 * The standard's Receipt for a committed FISCO receipt: the block's hash and time (the receipt
 * JSON names only the number) and the app's events with their checkpoints, which need the
 * transaction's index in its block.
 */
export async function receiptOf(
  chain: ChainReader,
  calls: ContractCalls,
  r: ReceiptJson,
  requestId: string,
  app: AppLocation,
): Promise<Receipt> {
  let block;
  try {
    block = await chain.blockOf(r.blockNumber, r.transactionHash);
  } catch (error) {
    throw toBsnError(error, { stage: 'commit', txId: r.transactionHash, what: `reading block ${r.blockNumber}` });
  }
  const txIndex = (block.transactions ?? []).findIndex((t) => (typeof t === 'string' ? t : t.hash) === r.transactionHash);
  const events = logsOf(r)
    .map((log, logIndex) => appEventOf(calls.app, log, { ...app, txId: r.transactionHash, block: r.blockNumber, txIndex, logIndex }))
    .filter((e) => e !== undefined);
  return {
    txId: r.transactionHash,
    requestId,
    status: 'committed',
    block: { number: block.number, hash: block.hash },
    events,
    timestamp: block.timestamp,
  };
}
