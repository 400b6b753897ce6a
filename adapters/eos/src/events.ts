/**
 * Events are read from action traces: every `put` or `del` action the preset contract executed
 * for an app is one `kv.put` / `kv.delete` event whose payload is the key. Its checkpoint is
 * the block and the action's global sequence, which orders actions within a block (and across
 * the chain) and never changes once the block is irreversible.
 */
import { PRESET_EVENTS, type ChainEvent } from '@bsn/contract';
import type { ContractAbi } from './antelope/index.js';
import type { TraceAction } from './node-api.js';

const NAMES: Record<string, string> = { put: PRESET_EVENTS.put, del: PRESET_EVENTS.delete };

/** The events `actions` (one transaction's, in order) hold for `app` at `account`. */
export function eventsOf(
  actions: TraceAction[],
  abi: ContractAbi,
  at: { appId: string; account: string },
  txId: string,
  block: number,
): ChainEvent[] {
  const events: ChainEvent[] = [];
  for (const action of actions) {
    const name = NAMES[action.action];
    if (!name || action.receiver !== at.account || action.account !== at.account) continue;
    const data = abi.decodeAction<{ appid: string; key: string }>(action.action, Uint8Array.from(Buffer.from(action.data, 'hex')));
    if (data.appid !== at.appId) continue;
    events.push({
      app: at.appId,
      name,
      payload: new Uint8Array(Buffer.from(data.key, 'utf8')),
      txId,
      checkpoint: { block, index: Number(action.global_sequence) },
    });
  }
  return events;
}
