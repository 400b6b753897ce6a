/**
 * Block headers as the chain packs, names and signs them (Leap 4, before Savanna):
 * the id is SHA-256 of the packed header with its first 4 bytes replaced by the block number,
 * and the producer signs SHA-256(SHA-256(header digest ‖ block-root) ‖ schedule hash).
 * (@wharfkit/antelope: `BlockHeader.from(…).id`.)
 */
import { createHash } from 'node:crypto';
import { Serialize } from 'eosjs';

/** The signed fields of a block header, as `get_block` reports them. */
export interface BlockHeader {
  timestamp: string;
  producer: string;
  confirmed: number;
  previous: string;
  transaction_mroot: string;
  action_mroot: string;
  schedule_version: number;
  new_producers?: unknown;
  /** `[type, hex]` pairs; absent when empty. */
  header_extensions?: Array<[number, string]>;
}

const sha256 = (...parts: Uint8Array[]) => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
};

const checksum = (hex: string, what: string): Uint8Array => {
  if (!/^[0-9a-f]{64}$/i.test(hex)) throw new Error(`${what} is not 32 bytes of hex`);
  return Uint8Array.from(Buffer.from(hex, 'hex'));
};

/** The header's binary form. A header proposing a new producer schedule is refused: its layout is not needed here. */
export function packBlockHeader(header: BlockHeader): Uint8Array {
  if (header.new_producers !== null && header.new_producers !== undefined) throw new Error('the header proposes a new producer schedule');
  const buffer = new Serialize.SerialBuffer({ textEncoder: new TextEncoder(), textDecoder: new TextDecoder() });
  buffer.pushUint32(Serialize.dateToBlockTimestamp(header.timestamp.replace(/Z$/, '')));
  buffer.pushName(header.producer);
  buffer.pushUint16(header.confirmed);
  buffer.pushArray(checksum(header.previous, 'previous'));
  buffer.pushArray(checksum(header.transaction_mroot, 'transaction_mroot'));
  buffer.pushArray(checksum(header.action_mroot, 'action_mroot'));
  buffer.pushUint32(header.schedule_version);
  buffer.push(0); // new_producers: none
  const extensions = header.header_extensions ?? [];
  buffer.pushVaruint32(extensions.length);
  for (const [type, data] of extensions) {
    buffer.pushUint16(type);
    buffer.pushBytes(Buffer.from(data, 'hex'));
  }
  return buffer.asUint8Array();
}

/** The number a block id carries in its first 4 bytes. */
export const blockNumberOf = (id: string): number => Buffer.from(checksum(id, 'block id')).readUInt32BE(0);

/** SHA-256 of the packed header. */
export const headerDigest = (header: BlockHeader): Uint8Array => sha256(packBlockHeader(header));

/** The block's id: its header digest with the block number (previous + 1) in the first 4 bytes. */
export function blockIdOf(header: BlockHeader): string {
  const id = Buffer.from(headerDigest(header));
  id.writeUInt32BE(blockNumberOf(header.previous) + 1, 0);
  return id.toString('hex');
}

/** What the producer signs: SHA-256(SHA-256(header digest ‖ block-root merkle root) ‖ pending schedule hash). */
export function producerSigningDigest(header: BlockHeader, blockRoot: string, scheduleHash: string): Uint8Array {
  const headerRoot = sha256(headerDigest(header), checksum(blockRoot, 'block root'));
  return sha256(headerRoot, checksum(scheduleHash, 'schedule hash'));
}
