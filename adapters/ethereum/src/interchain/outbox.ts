import { AbiCoder, Interface, keccak256, toUtf8Bytes } from 'ethers';
import { fromBase64, type Packet } from '@bsn/contract';

/**
 * The parts of BsnPacketOutbox (contracts/BsnPacketOutbox.sol) the adapter and the verifier
 * use, written out here rather than taken from the compiled artifact: the verifier must not
 * depend on a build step to know what a PacketSent log looks like. A test checks this ABI
 * against the compiled one.
 */
export const OUTBOX_ABI = [
  'function BSN_OUTBOX() view returns (string)',
  'function registry() view returns (address)',
  'function nextSeq(string srcApp, string dstChain, string dstApp) view returns (uint64)',
  'function commitmentOf(string srcApp, string dstChain, string dstApp, uint64 seq) view returns (bytes32)',
  'function packetFieldsHash((string srcApp, string dstChain, string dstApp, string method, bytes payload, uint64 timeout, string grantRef) p, uint64 seq) pure returns (bytes32)',
  'function sendPacket((string srcApp, string dstChain, string dstApp, string method, bytes payload, uint64 timeout, string grantRef) p, uint64 seq, bytes32 packetId, bytes32 commitment) returns (bytes32 fieldsHash)',
  'event PacketSent(bytes32 indexed packetId, bytes32 indexed srcAppHash, bytes32 commitment, uint64 seq, bytes32 fieldsHash, address sender)',
  'error UnknownApp(string appId)',
  'error NotMember(address account)',
  'error AppFrozen()',
  'error SeqMismatch(uint64 expected, uint64 given)',
  'error InvalidInput(string field, string reason)',
] as const;

export const outboxInterface = new Interface(OUTBOX_ABI);

/** What `BSN_OUTBOX()` answers on an outbox this adapter can use. */
export const OUTBOX_PROTOCOL = 'bsn.ethereum.outbox/2';

export const PACKET_SENT_TOPIC = outboxInterface.getEvent('PacketSent')!.topicHash;

const FIELDS_TYPES = ['tuple(string,string,string,string,bytes,uint64,string)', 'uint64'];

/** The PacketFields tuple the outbox is called with (payload as raw bytes). */
export function packetFields(p: Pick<Packet, 'srcApp' | 'dstChain' | 'dstApp' | 'method' | 'payload' | 'timeout' | 'grantRef'>) {
  return [p.srcApp, p.dstChain, p.dstApp, p.method, fromBase64(p.payload, '/packet/payload'), BigInt(p.timeout), p.grantRef] as const;
}

/** `packetFieldsHash(p, seq)` as the outbox computes it: keccak256(abi.encode(p, seq)). */
export function packetFieldsHash(p: Packet): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(FIELDS_TYPES, [packetFields(p), BigInt(p.seq)]));
}

export const srcAppTopic = (srcApp: string): string => keccak256(toUtf8Bytes(srcApp));

/** The decoded data of a PacketSent log. */
export interface PacketSentData {
  commitment: string;
  seq: bigint;
  fieldsHash: string;
  sender: string;
}

export function decodePacketSentData(data: string): PacketSentData {
  const [commitment, seq, fieldsHash, sender] = AbiCoder.defaultAbiCoder().decode(['bytes32', 'uint64', 'bytes32', 'address'], data);
  return { commitment, seq, fieldsHash, sender } as PacketSentData;
}
