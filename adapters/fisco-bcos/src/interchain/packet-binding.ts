import type { Packet } from '@bsn/contract';
import { concat, utf8Bytes } from '../protocol/big-endian.js';
import type { CryptoSuite } from '../protocol/crypto-suite.js';

const u32 = (n: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
};
const u64 = (n: number | bigint) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n));
  return b;
};
const part = (bytes: Uint8Array) => concat([u32(bytes.length), bytes]);

/**
 * `fieldsHash`, what BsnKvRegistry.sendPacket computes over what it was sent (contracts/
 * BsnKvRegistry.yul fieldsHashOf): the chain's hash of srcApp ‖ dstChain ‖ dstApp ‖ method ‖
 * payload ‖ u64 timeout ‖ grantRef ‖ u64 seq, each byte string preceded by its u32 length.
 */
export function packetFieldsHash(suite: CryptoSuite, p: Packet): Uint8Array {
  return suite.hash(
    concat([
      part(utf8Bytes(p.srcApp)),
      part(utf8Bytes(p.dstChain)),
      part(utf8Bytes(p.dstApp)),
      part(utf8Bytes(p.method)),
      part(Uint8Array.from(Buffer.from(p.payload, 'base64'))),
      u64(p.timeout),
      part(utf8Bytes(p.grantRef)),
      u64(p.seq),
    ]),
  );
}
