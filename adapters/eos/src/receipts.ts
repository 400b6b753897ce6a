import type { Receipt } from '@bsn/contract';
import type { ContractAbi } from './antelope/index.js';
import type { LocatedApp } from './apps.js';
import { eventsOf } from './events.js';
import type { Final } from './transactions.js';

/** The receipt of a final transaction of `app`: its irreversible block and the events its actions made. */
export function receiptOf(final: Final, requestId: string, app: LocatedApp, abi: ContractAbi): Receipt {
  return {
    txId: final.txId,
    requestId,
    status: 'committed',
    block: { number: final.block.number, hash: final.block.hash },
    events: eventsOf(final.actions, abi, app, final.txId, final.block.number),
    timestamp: final.block.timestamp,
  };
}
