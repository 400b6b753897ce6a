import { peer } from '@hyperledger/fabric-protos';
import {
  canonicalJson,
  checkAck,
  checkPacket,
  packetCommitment,
  packetId as packetIdOf,
  reject,
  type Ack,
  type Packet,
  type Verification,
} from '@bsn/contract';
import { deliveryEventName, receiptKey } from './proof.js';
import { decode, writesOf } from './decode.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const equal = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

/**
 * The delivery half of the Fabric verifier: after verify.ts has proven the transaction (block,
 * orderer, creator, endorsements, VALID, no same-block winner), this checks that what the
 * target's chaincode emitted and wrote is exactly the ack (or timeout record) of this packet:
 * the packet is for the roots' chain and is the subject; the event is `packet.received` of its
 * target app carrying the ack's RFC 8785 bytes (or `packet.timeout` carrying the packet id); the
 * receipt `d/<packetId>` written is the one the chaincode writes for that ack (or timeout).
 */
export function verifyDeliveryOutput(
  kind: 'ack' | 'timeout',
  subjectPacketId: string,
  proofPacket: unknown,
  ccAction: peer.ChaincodeAction,
  chain: string,
  chaincode: string,
  txId: string,
): Verification {
  let packet: Packet;
  try {
    packet = checkPacket(structuredClone(proofPacket));
  } catch (error) {
    reject(`the packet is malformed: ${(error as Error).message}`);
  }
  if (packet.dstChain !== chain) reject(`the packet's dstChain ${packet.dstChain} is not the chain ${chain} of the roots`);
  const id = packetIdOf(packet);
  if (id !== subjectPacketId) reject(`the packet's id is ${id}, the evidence's subject names ${subjectPacketId}`);
  const commitment = packetCommitment(packet);

  const eventBytes = ccAction.getEvents_asU8();
  if (eventBytes.length === 0) reject(`the transaction emitted no chaincode event: it recorded no ${kind}`);
  const event = decode('the chaincode event', (b) => peer.ChaincodeEvent.deserializeBinary(b), eventBytes);
  if (event.getChaincodeId() !== chaincode)
    reject(`the event was emitted by chaincode ${JSON.stringify(event.getChaincodeId())}, not ${chaincode}`);
  if (event.getTxId() !== txId) reject('the event names another transaction');
  if (event.getEventName() !== deliveryEventName(packet.dstApp, kind))
    reject(`the event is ${JSON.stringify(event.getEventName())}, not the ${kind} of a packet to ${packet.dstApp}`);
  const payload = event.getPayload_asU8();
  const record = writesOf(ccAction.getResults_asU8(), chaincode).get(receiptKey(id));
  if (!record) reject(`the transaction did not write the receipt ${receiptKey(id)}`);

  if (kind === 'timeout') {
    if (!equal(payload, utf8(id))) reject('the timeout event names another packet');
    if (!equal(record, utf8(canonicalJson({ commitment, packetId: id, state: 'timed-out', tx: txId }))))
      reject(`the receipt ${receiptKey(id)} written is not this packet's timeout record`);
    return { state: 'proven', subject: { kind, packetId: id }, packet };
  }
  let ack: Ack;
  try {
    ack = checkAck(JSON.parse(Buffer.from(payload).toString('utf8')));
  } catch (error) {
    reject(`the event carries no ack: ${(error as Error).message}`);
  }
  if (!equal(payload, utf8(canonicalJson(ack)))) reject('the event carries the ack in a non-canonical form');
  if (ack.packetId !== id || ack.commitment !== commitment) reject('the ack the event carries answers another packet');
  if (!equal(record, utf8(canonicalJson({ ...ack, state: 'delivered', tx: txId }))))
    reject(`the receipt ${receiptKey(id)} written does not record this ack as delivered`);
  return { state: 'proven', subject: { kind, packetId: id }, packet, ack };
}
