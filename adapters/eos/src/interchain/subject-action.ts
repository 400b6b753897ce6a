/**
 * Which action of the preset contract records each evidence subject, and what it proves: a
 * packet by `emit` (sent), an ack by `deliver` (whose data carry the ack the contract checked
 * was the call's), a timeout record by `rectimeout`. One reading for the evidence builder and
 * the verifier, so what is looked for is what is checked.
 */
import { checkAck, checkPacket, packetCommitment, packetId, type Ack, type AckStatus, type Evidence, type Packet } from '@bsn/contract';
import type { ContractAbi } from '../antelope/index.js';

export const SUBJECT_ACTION: Record<Evidence['subject']['kind'], string> = { packet: 'emit', ack: 'deliver', timeout: 'rectimeout' };

/** The packet fields of `deliver`, `rectimeout` (and `acknowledge`, `closetimeout`). */
interface PacketArgs {
  srcchain: string;
  srcapp: string;
  dstchain: string;
  dstapp: string;
  seq: string | number;
  method: string;
  payload: string;
  timeout: string | number;
  grantref: string;
}

/** The emit action's fields, as the preset contract takes them. */
export interface EmitData {
  appid: string;
  sender: string;
  srcchain: string;
  dstchain: string;
  dstapp: string;
  seq: string | number;
  method: string;
  payload: string;
  timeout: string | number;
  grantref: string;
}

export function packetOfEmit(data: EmitData): Packet {
  return packetOfArgs({ ...data, srcapp: data.appid });
}

export function packetOfArgs(data: PacketArgs): Packet {
  return checkPacket({
    v: 1,
    srcChain: data.srcchain,
    srcApp: data.srcapp,
    dstChain: data.dstchain,
    dstApp: data.dstapp,
    seq: Number(data.seq),
    method: data.method,
    payload: data.payload,
    timeout: Number(data.timeout),
    grantRef: data.grantref,
  });
}

export interface SubjectRecord {
  packet: Packet;
  /** The chain whose roots must prove it: the source for a packet, the target for an ack or timeout record. */
  chain: string;
  ack?: Ack;
}

/** What the action (`name`, `data`) records for `kind`, or undefined when it records nothing of that kind. */
export function subjectRecord(
  kind: Evidence['subject']['kind'],
  abi: ContractAbi,
  name: string,
  data: Uint8Array,
): SubjectRecord | undefined {
  if (name !== SUBJECT_ACTION[kind]) return undefined;
  if (kind === 'packet') {
    const packet = packetOfEmit(abi.decodeAction<EmitData>('emit', data));
    return { packet, chain: packet.srcChain };
  }
  const args = abi.decodeAction<PacketArgs & { ackstatus?: string; ackresult?: string }>(name, data);
  const packet = packetOfArgs(args);
  if (kind === 'timeout') return { packet, chain: packet.dstChain };
  const ack = checkAck({
    packetId: packetId(packet),
    commitment: packetCommitment(packet),
    status: args.ackstatus as AckStatus,
    result: args.ackresult,
  });
  return { packet, chain: packet.dstChain, ack };
}
