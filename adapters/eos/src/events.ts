/**
 * Events are read from action traces: every `put` or `del` action the preset contract executed
 * for an app is one `kv.put` / `kv.delete` event whose payload is the key. Its checkpoint is
 * the block and the action's global sequence, which orders actions within a block (and across
 * the chain) and never changes once the block is irreversible.
 */
import { PRESET_EVENTS, type ChainEvent } from '@bsn/contract';
import { unpackTransaction, type ContractAbi } from './antelope/index.js';
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
    if (action.receiver !== at.account || action.account !== at.account) continue;
    const write = writeOf(action.action, Uint8Array.from(Buffer.from(action.data, 'hex')), abi, at.account);
    const name = write && NAMES[write.action];
    if (!write || !name) continue;
    const data = write.data;
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

/** The preset write an action of the contract at `account` makes: itself, or the one a `relay` carries. */
export function writeOf(
  action: string,
  data: Uint8Array,
  abi: ContractAbi,
  account: string,
): { action: string; data: { appid: string; key: string } } | undefined {
  if (NAMES[action]) return { action, data: abi.decodeAction(action, data) };
  if (action !== 'relay') return undefined;
  const { packed } = abi.decodeAction<{ packed: string }>('relay', data);
  const inner = unpackTransaction(Uint8Array.from(Buffer.from(packed, 'hex'))).actions[0];
  if (!inner || inner.account !== account || !NAMES[inner.name]) return undefined;
  return { action: inner.name, data: abi.decodeAction(inner.name, inner.data) };
}
