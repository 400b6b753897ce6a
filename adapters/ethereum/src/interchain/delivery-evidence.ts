import { getAddress } from 'ethers';
import {
  InvalidInputError,
  ackCommitment,
  checkPacket,
  isPacketId,
  packetCommitment,
  packetId,
  reject,
  toBase64,
  type Ack,
  type Evidence,
  type Packet,
} from '@bsn/contract';
import { PACKET_DELIVERED_TOPIC, PACKET_TIMED_OUT_TOPIC, ackOfLog, decodePacketDeliveredData, deliveryInterface } from './delivery-abi.js';

export type DeliveryKind = 'ack' | 'timeout';

const topicOf = (kind: DeliveryKind) => (kind === 'ack' ? PACKET_DELIVERED_TOPIC : PACKET_TIMED_OUT_TOPIC);

/** Where in a receipt's logs the outbox recorded the delivery (or timeout) of `id`, or -1. */
export function deliveryLogIndex(
  kind: DeliveryKind,
  logs: ReadonlyArray<{ address: string; topics: readonly string[] }>,
  outbox: string,
  id: string,
): number {
  return logs.findIndex(
    (l) => getAddress(l.address) === getAddress(outbox) && l.topics[0] === topicOf(kind) && l.topics[1]?.toLowerCase() === '0x' + id,
  );
}

/** The packet a deliver / recordTimeout call carried (the transaction's input). */
export function deliveredPacketOf(input: string, kind: DeliveryKind): Packet | undefined {
  const call = deliveryInterface.parseTransaction({ data: input });
  if (call?.name !== (kind === 'ack' ? 'deliver' : 'recordTimeout')) return undefined;
  const [srcChain, srcApp, dstChain, dstApp, seq, method, payload, timeout, grantRef] = call.args[0] as unknown as [
    string,
    string,
    string,
    string,
    bigint,
    string,
    string,
    bigint,
    string,
  ];
  return checkPacket({
    v: 1,
    srcChain,
    srcApp,
    dstChain,
    dstApp,
    seq: Number(seq),
    method,
    payload: toBase64(Buffer.from(payload.slice(2), 'hex')),
    timeout: Number(timeout),
    grantRef,
  });
}

/**
 * The verifier's step for a delivery log (the log already shown to come from the pinned outbox in
 * a successful receipt of an attested block): the packet carried is well-formed, addressed to the
 * chain of the roots, the one the subject names, and the log records exactly it — for an ack, the
 * ack rebuilt from the log hashes to the ack commitment the transaction recorded.
 */
export function provenDelivery(
  kind: DeliveryKind,
  log: { topics: readonly string[]; data: string },
  packetValue: unknown,
  chain: string,
  subjectId: string,
): { packet: Packet; ack?: Ack } {
  let packet: Packet;
  try {
    packet = checkPacket(structuredClone(packetValue));
  } catch (error) {
    reject(`the packet is malformed: ${(error as Error).message}`);
  }
  if (packet.dstChain !== chain) reject(`the packet's dstChain ${packet.dstChain} is not the chain ${chain} of the roots`);
  const id = packetId(packet);
  if (id !== subjectId) reject(`the packet's id is ${id}, the evidence's subject names ${subjectId}`);
  if (log.topics.length !== 2 || log.topics[0] !== topicOf(kind))
    reject(`the log is not a ${kind === 'ack' ? 'PacketDelivered' : 'PacketTimedOut'} event`);
  if (log.topics[1]!.toLowerCase() !== '0x' + id) reject(`the log is for packet ${log.topics[1]}, not ${id}`);
  const commitment = '0x' + packetCommitment(packet);
  if (kind === 'timeout') {
    const [logged] = deliveryInterface.getAbiCoder().decode(['bytes32'], log.data);
    if (String(logged).toLowerCase() !== commitment) reject('the timeout record is for another packet (commitment differs)');
    return { packet };
  }
  let data: ReturnType<typeof decodePacketDeliveredData>;
  try {
    data = decodePacketDeliveredData(log.data);
  } catch (error) {
    reject(`the log data cannot be decoded: ${(error as Error).message}`);
  }
  if (String(data.commitment).toLowerCase() !== commitment) reject('the delivery is of another packet (commitment differs)');
  let ack: Ack;
  try {
    ack = ackOfLog(id, data);
  } catch (error) {
    reject(`the ack cannot be rebuilt: ${(error as Error).message}`);
  }
  if ('0x' + ackCommitment(ack) !== String(data.ackCommitment).toLowerCase())
    reject('the ack recorded is not the one the transaction wrote (ack commitment differs)');
  return { packet, ack };
}
