import type { Packet } from '@bsn/contract';

/**
 * `Evidence.proof` for framework `fabric`: the committed block itself, so the verifier rebuilds
 * every signed byte from it.
 *
 * - `block`: base64 of the `common.Block` protobuf exactly as the peer's ledger holds it (qscc
 *   `GetBlockByNumber`): header, data (the transaction envelopes) and metadata (the orderer's
 *   SIGNATURES, the committing peer's TRANSACTIONS_FILTER);
 * - `txIndex`: position of the packet's transaction in the block's data;
 * - `packet`: the packet sent; the verifier rebuilds its canonical bytes, id and commitment and
 *   compares them with what the endorsers signed (the chaincode event and the write set).
 *
 * `Evidence.blockHash` is the block's header hash (SHA-256 of the DER header, as
 * `gateway.block(n).hash`), rebuilt by the verifier from the block, never taken as given.
 */
export interface FabricProof {
  block: string;
  txIndex: number;
  packet: Packet;
}

/** Largest block (decoded) a verifier accepts; the peer's own gRPC limit is 100 MiB, BSN blocks are far smaller. */
export const MAX_BLOCK_BYTES = 64 * 1024 * 1024;
/** Bounds on what a block may ask the verifier to check. */
export const MAX_ENDORSEMENTS = 64;
export const MAX_BLOCK_SIGNATURES = 32;

/** The chaincode event a packet is sent with (`bsn/<srcApp>/packet.sent`, see chaincode/lib/packets.js). */
export const packetEventName = (srcApp: string): string => `bsn/${srcApp}/packet.sent`;
/** World-state keys the preset chaincode writes when it sends a packet. */
export const packetKey = (p: Pick<Packet, 'srcApp' | 'dstChain' | 'dstApp' | 'seq'>): string =>
  `p/${p.srcApp}/${p.dstChain}/${p.dstApp}/${p.seq}`;
export const counterKey = (p: Pick<Packet, 'srcApp' | 'dstChain' | 'dstApp'>): string => `s/${p.srcApp}/${p.dstChain}/${p.dstApp}`;

/** The target's receipt of a delivered or timed-out packet (chaincode/lib/acks.js). */
export const receiptKey = (packetId: string): string => `d/${packetId}`;
/** The event a delivery (`packet.received`, the ack) or a timeout record (`packet.timeout`, the packet id) is emitted with. */
export const deliveryEventName = (dstApp: string, kind: 'ack' | 'timeout'): string =>
  `bsn/${dstApp}/${kind === 'ack' ? 'packet.received' : 'packet.timeout'}`;
