/**
 * An app's own contract has no logs to emit (EOS has none): its events are its action traces.
 * Every action the app's account executed as its own contract — called from outside, or sent by
 * the contract to itself inline (how a contract emits an event: the sample token's
 * `transferlog`) — is an event named by the action, its payload the action data decoded by the
 * ABI as JSON text (the raw bytes when the ABI no longer decodes it). Notifications the account
 * receives for other contracts' actions are not its events. The checkpoint is the block and the
 * action's global sequence, as for preset apps.
 */
import type { ChainEvent } from '@bsn/contract';
import type { ContractAbi } from '../antelope/index.js';
import type { TraceAction } from '../node-api.js';

const encoder = new TextEncoder();

export function customEventsOf(
  actions: TraceAction[],
  abi: ContractAbi,
  at: { appId: string; account: string },
  txId: string,
  block: number,
): ChainEvent[] {
  return actions
    .filter((a) => a.receiver === at.account && a.account === at.account)
    .map((a) => {
      const raw = Uint8Array.from(Buffer.from(a.data, 'hex'));
      let payload = raw;
      if (abi.hasAction(a.action)) {
        try {
          payload = encoder.encode(JSON.stringify(abi.decodeAction(a.action, raw)));
        } catch {
          // An action of an earlier version whose layout the current ABI no longer has.
        }
      }
      return { app: at.appId, name: a.action, payload, txId, checkpoint: { block, index: Number(a.global_sequence) } };
    });
}
