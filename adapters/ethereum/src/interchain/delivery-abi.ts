import { AbiCoder, Interface } from 'ethers';
import { ACK_STATUSES, fromBase64, toBase64, type Ack, type AckStatus, type Packet } from '@bsn/contract';

/**
 * The delivery half of BsnPacketOutbox (contracts/BsnPacketOutbox.sol), written out for the same
 * reason as OUTBOX_ABI: the verifier reads PacketDelivered / PacketTimedOut logs without a build
 * step. A test checks it against the compiled contract.
 */
const PACKET =
  '(string srcChain, string srcApp, string dstChain, string dstApp, uint64 seq, string method, bytes payload, uint64 timeout, string grantRef) p';

export const DELIVERY_ABI = [
  'function owner() view returns (address)',
  'function configureDelivery(string chainName_, address[] attesters_, uint8 threshold_)',
  'function deliveryConfig() view returns (string, address[], uint8)',
  `function deliver(${PACKET}, bytes[] signatures, bytes getValue) returns (uint8 status)`,
  `function recordTimeout(${PACKET}, bytes[] signatures)`,
  `function acknowledge(${PACKET}, (bytes32 packetId, bytes32 commitment, uint8 status, bytes result) ack, bytes[] signatures)`,
  `function closeTimedOut(${PACKET}, bytes[] signatures)`,
  'function targetState(bytes32 packetId) view returns (uint8 state, uint8 status, uint64 blockNumber, bytes32 ackCommitment)',
  'function sourceState(string srcApp, string dstChain, string dstApp, uint64 seq) view returns (bytes32 commitment, uint8 state, uint64 blockNumber, bytes32 ackCommitment)',
  'event PacketDelivered(bytes32 indexed packetId, bytes32 commitment, uint8 status, bytes result, bytes32 ackCommitment)',
  'event PacketTimedOut(bytes32 indexed packetId, bytes32 commitment)',
  'event PacketAcknowledged(bytes32 indexed packetId, bytes32 ackCommitment)',
  'event PacketClosed(bytes32 indexed packetId)',
  'error NotOwner(address account)',
  'error BelowThreshold(uint256 counted, uint256 needed)',
  'error Unauthorized(string reason)',
  'error Conflict(string reason)',
  'error NotFound(string reason)',
  'error CallOutOfGas()',
] as const;

export const deliveryInterface = new Interface(DELIVERY_ABI);

export const PACKET_DELIVERED_TOPIC = deliveryInterface.getEvent('PacketDelivered')!.topicHash;
export const PACKET_TIMED_OUT_TOPIC = deliveryInterface.getEvent('PacketTimedOut')!.topicHash;
export const PACKET_ACKNOWLEDGED_TOPIC = deliveryInterface.getEvent('PacketAcknowledged')!.topicHash;

/** Target and source states as the contract numbers them. */
export const STATE = { none: 0, delivered: 1, acknowledged: 1, timedOut: 2 } as const;

/** The Packet tuple the contract takes (payload as raw bytes). */
export function packetTuple(p: Packet) {
  return [
    p.srcChain,
    p.srcApp,
    p.dstChain,
    p.dstApp,
    BigInt(p.seq),
    p.method,
    fromBase64(p.payload, '/packet/payload'),
    BigInt(p.timeout),
    p.grantRef,
  ] as const;
}

export const statusIndex = (status: AckStatus): number => ACK_STATUSES.indexOf(status);

export function statusOf(index: number | bigint): AckStatus {
  const s = ACK_STATUSES[Number(index)];
  if (s === undefined) throw new Error(`unknown ack status ${index}`);
  return s;
}

export function ackTuple(ack: Ack) {
  return ['0x' + ack.packetId, '0x' + ack.commitment, statusIndex(ack.status), fromBase64(ack.result, '/ack/result')] as const;
}

/** The data of a PacketDelivered log. */
export interface PacketDeliveredData {
  commitment: string;
  status: bigint;
  result: string;
  ackCommitment: string;
}

export function decodePacketDeliveredData(data: string): PacketDeliveredData {
  const [commitment, status, result, ackCommitment] = AbiCoder.defaultAbiCoder().decode(['bytes32', 'uint8', 'bytes', 'bytes32'], data);
  return { commitment, status, result, ackCommitment } as PacketDeliveredData;
}

/** The ack a PacketDelivered log records for the packet `id`. */
export function ackOfLog(id: string, data: PacketDeliveredData): Ack {
  return {
    packetId: id,
    commitment: String(data.commitment).slice(2).toLowerCase(),
    status: statusOf(data.status),
    result: toBase64(Buffer.from(String(data.result).slice(2), 'hex')),
  };
}
