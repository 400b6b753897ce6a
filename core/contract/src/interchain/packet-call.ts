/**
 * The preset key/value contract's methods a packet may call on its target app, and their
 * payloads: plain bytes every chain's contract can split without a parser.
 *   kv.put     u16 big-endian key length ‖ key (UTF-8) ‖ value   → result empty
 *   kv.get     key (UTF-8)                                        → result the value
 *   kv.delete  key (UTF-8)                                        → result empty
 * A malformed payload or key is answered with an INVALID_INPUT ack, a missing key with NOT_FOUND,
 * as the preset contract answers them.
 */
import { InvalidInputError } from '../errors/errors.js';
import { concatBytes, utf8 } from '../encoding/bytes.js';

export const PACKET_CALL_METHODS = ['kv.put', 'kv.get', 'kv.delete'] as const;
export type PacketCallMethod = (typeof PACKET_CALL_METHODS)[number];

export type PacketCall = { method: 'kv.put'; key: string; value: Uint8Array } | { method: 'kv.get' | 'kv.delete'; key: string };

/** The packet payload (raw bytes, to be base64-encoded into the packet) for a call of a preset method. */
export function encodePacketCall(call: PacketCall): Uint8Array {
  const key = utf8(call.key);
  if (call.method !== 'kv.put') return key;
  if (key.length > 0xffff) throw new InvalidInputError('/key: longer than 65535 bytes', { field: '/key' });
  return concatBytes(Uint8Array.of(key.length >> 8, key.length & 0xff), key, call.value);
}

/** The call a payload makes, or InvalidInputError naming `/payload` (what the target's contract decides too). */
export function decodePacketCall(method: string, payload: Uint8Array): PacketCall {
  const text = (bytes: Uint8Array) => {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new InvalidInputError('/payload: the key is not UTF-8', { field: '/payload' });
    }
  };
  if (method === 'kv.get' || method === 'kv.delete') return { method, key: text(payload) };
  if (method !== 'kv.put') throw new InvalidInputError(`/method: ${method} is not a preset method a packet may call`, { field: '/method' });
  if (payload.length < 2) throw new InvalidInputError('/payload: shorter than its key length', { field: '/payload' });
  const n = (payload[0]! << 8) | payload[1]!;
  if (payload.length < 2 + n) throw new InvalidInputError('/payload: shorter than its key length', { field: '/payload' });
  return { method, key: text(payload.subarray(2, 2 + n)), value: payload.slice(2 + n) };
}
