/**
 * The ack a packet's call will get on this chain, worked out from the target's store before the
 * delivery is sent. The contract decides the ack itself and refuses a delivery that expected
 * another (`bsn:ack:`), so the delivery transaction's own bytes carry the ack the chain wrote —
 * what ack evidence proves without any state proof. A write between this read and the
 * delivery only makes the delivery refused and tried again.
 */
import type { AckStatus, Packet } from '@bsn/contract';

/** The contract's bounds (contract/bsn-kv.contract.ts), which packet calls meet as any write does. */
const MAX_KEY_BYTES = 1024;
const MAX_VALUE_BYTES = 65536;

export interface PredictedAck {
  status: AckStatus;
  /** base64 */
  result: string;
}

const invalid: PredictedAck = { status: 'INVALID_INPUT', result: '' };

function isKey(bytes: Uint8Array): boolean {
  if (bytes.length < 1 || bytes.length > MAX_KEY_BYTES || bytes.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** `live(key)` reads the target app's current value of `key` (null when absent). */
export async function predictAck(packet: Packet, live: (key: string) => Promise<Uint8Array | null>): Promise<PredictedAck> {
  const bytes = Buffer.from(packet.payload, 'base64');
  if (bytes.toString('base64') !== packet.payload) return invalid;
  let key = new Uint8Array(bytes);
  if (packet.method === 'kv.put') {
    if (bytes.length < 2) return invalid;
    const n = bytes.readUInt16BE(0);
    if (bytes.length < 2 + n) return invalid;
    key = new Uint8Array(bytes.subarray(2, 2 + n));
    const value = bytes.subarray(2 + n);
    if (value.length < 1 || value.length > MAX_VALUE_BYTES || !isKey(key)) return invalid;
    return { status: 'OK', result: '' };
  }
  if (!isKey(key)) return invalid;
  const value = await live(Buffer.from(key).toString('utf8'));
  if (value === null) return { status: 'NOT_FOUND', result: '' };
  return { status: 'OK', result: packet.method === 'kv.get' ? Buffer.from(value).toString('base64') : '' };
}
