import type { ChainEvent, Checkpoint } from '@bsn/contract';
import type { ChainAbi } from './contracts/chain-abi.js';
import type { ReceiptLog } from './protocol/receipt.js';

/**
 * A checkpoint orders events within a block by the transaction's index and the log's index in
 * its receipt (FISCO numbers logs per receipt): index = txIndex × 65536 + logIndex.
 */
const LOGS_PER_TRANSACTION = 65_536;

export const checkpointOf = (block: number, txIndex: number, logIndex: number): Checkpoint => ({
  block,
  index: txIndex * LOGS_PER_TRANSACTION + logIndex,
});

/** The gateway event an `AppEvent` log of the app's contract carries, or undefined for any other log. */
export function appEventOf(
  abi: ChainAbi,
  log: ReceiptLog,
  at: { appId: string; address: string; txId: string; block: number; txIndex: number; logIndex: number },
): ChainEvent | undefined {
  if ('0x' + log.address.replace(/^0x/, '') !== at.address) return undefined;
  const decoded = abi.decodeLog('AppEvent', log);
  if (!decoded) return undefined;
  const [name, payload] = decoded as unknown as [string, string];
  return {
    app: at.appId,
    name,
    payload: Uint8Array.from(Buffer.from(payload.slice(2), 'hex')),
    txId: at.txId,
    checkpoint: checkpointOf(at.block, at.txIndex, at.logIndex),
  };
}
