import { AbiCoder } from 'ethers';
import {
  ACK_STATUSES,
  ackCommitment,
  checkPacket,
  packetCommitment,
  packetId,
  reject,
  toBase64,
  type Ack,
  type Packet,
} from '@bsn/contract';
import { utf8Bytes } from '../protocol/big-endian.js';
import type { CryptoSuite } from '../protocol/crypto-suite.js';
import type { ReceiptLog } from '../protocol/receipt.js';

export type DeliveryKind = 'ack' | 'timeout';

/** The registry's events a target writes (contracts/lib/packet-delivery.yul). */
export const DELIVERY_EVENTS: Record<DeliveryKind, string> = {
  ack: 'PacketDelivered(bytes32,bytes32,uint8,bytes,bytes32)',
  timeout: 'PacketTimedOut(bytes32,bytes32)',
};

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bare = (s: string): string => String(s).replace(/^0x/i, '').toLowerCase();

/**
 * What a target's delivery (or timeout) log proves, checked on a log already proven in a sealed
 * block by the pinned registry: the packet carried is well formed, addressed to the roots' chain,
 * the one the subject names; the log is the kind's event for exactly that packet id and commitment;
 * for an ack, the ack rebuilt from the log hashes to the ack commitment the registry recorded.
 */
export function checkDeliveryLog(
  suite: CryptoSuite,
  kind: DeliveryKind,
  log: ReceiptLog,
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
  const topic = hex(suite.hash(utf8Bytes(DELIVERY_EVENTS[kind])));
  if (log.topics.length !== 2 || hex(log.topics[0]!) !== topic) reject(`the log is not a ${DELIVERY_EVENTS[kind].split('(')[0]} event`);
  if (hex(log.topics[1]!) !== id) reject(`the log is for packet ${hex(log.topics[1]!)}, not ${id}`);
  const coder = AbiCoder.defaultAbiCoder();
  if (kind === 'timeout') {
    let commitment: string;
    try {
      [commitment] = coder.decode(['bytes32'], log.data) as unknown as [string];
    } catch {
      reject('the PacketTimedOut log data is malformed');
    }
    if (bare(commitment) !== packetCommitment(packet)) reject("the timeout record's commitment is not the packet's");
    return { packet };
  }
  let fields: [string, bigint, string, string];
  try {
    fields = coder.decode(['bytes32', 'uint8', 'bytes', 'bytes32'], log.data) as unknown as [string, bigint, string, string];
  } catch {
    reject('the PacketDelivered log data is malformed');
  }
  const [commitment, status, result, recorded] = fields;
  if (bare(commitment) !== packetCommitment(packet)) reject("the delivery's commitment is not the packet's");
  const name = ACK_STATUSES[Number(status)];
  if (!name) reject(`the delivery's status ${status} is not an ack status`);
  const ack: Ack = { packetId: id, commitment: bare(commitment), status: name, result: toBase64(Buffer.from(bare(result), 'hex')) };
  if (ackCommitment(ack) !== bare(recorded)) reject('the ack rebuilt from the log does not hash to the ack commitment recorded');
  return { packet, ack };
}
