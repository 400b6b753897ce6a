/**
 * The `packet.*` app events (docs/interchain-delivery.md, Events) read from the registry
 * contract's interchain actions: `emit` is the source app's `packet.sent` (the packet), `deliver`
 * the target's `packet.received` (the ack the action carried, which the contract checked was the
 * call's), `rectimeout` the target's `packet.timeout`, `acknowledge` the source's
 * `packet.acknowledged` (the ack: the app's callback), `closetimeout` its `packet.closed` (ids as text).
 */
import { canonicalJson, packetCommitment, packetId, type Ack, type AckStatus, type ChainEvent } from '@bsn/contract';
import type { ContractAbi } from '../antelope/index.js';
import type { TraceAction } from '../node-api.js';
import { packetOfArgs, packetOfEmit, type EmitData } from './subject-action.js';

type Args = Parameters<typeof packetOfArgs>[0] & { ackstatus?: string; ackresult?: string };

const encode = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

function eventOf(name: string, data: Uint8Array, abi: ContractAbi): { app: string; name: string; payload: Uint8Array } | undefined {
  if (name === 'emit') {
    const packet = packetOfEmit(abi.decodeAction<EmitData>('emit', data));
    return { app: packet.srcApp, name: 'packet.sent', payload: encode(canonicalJson(packet)) };
  }
  if (!['deliver', 'rectimeout', 'acknowledge', 'closetimeout'].includes(name)) return undefined;
  const args = abi.decodeAction<Args>(name, data);
  const packet = packetOfArgs(args);
  const id = packetId(packet);
  const ack = (): Ack => ({
    packetId: id,
    commitment: packetCommitment(packet),
    status: args.ackstatus as AckStatus,
    result: args.ackresult!,
  });
  if (name === 'deliver') return { app: packet.dstApp, name: 'packet.received', payload: encode(canonicalJson(ack())) };
  if (name === 'rectimeout') return { app: packet.dstApp, name: 'packet.timeout', payload: encode(id) };
  if (name === 'acknowledge') return { app: packet.srcApp, name: 'packet.acknowledged', payload: encode(canonicalJson(ack())) };
  return { app: packet.srcApp, name: 'packet.closed', payload: encode(id) };
}

/** The `packet.*` events of `appId` among one executed transaction's actions of the registry contract. */
export function packetEventsOf(
  actions: TraceAction[],
  abi: ContractAbi,
  registry: string,
  appId: string,
  txId: string,
  block: number,
): ChainEvent[] {
  const events: ChainEvent[] = [];
  for (const action of actions) {
    if (action.receiver !== registry || action.account !== registry) continue;
    let event;
    try {
      event = eventOf(action.action, Uint8Array.from(Buffer.from(action.data, 'hex')), abi);
    } catch {
      continue; // an action the contract refused to record would not have executed; nothing to report
    }
    if (!event || event.app !== appId) continue;
    events.push({
      app: appId,
      name: event.name,
      payload: event.payload,
      txId,
      checkpoint: { block, index: Number(action.global_sequence) },
    });
  }
  return events;
}
