import { createHash } from 'node:crypto';
import { canonicalJson } from '../encoding/canonical-json.js';
import { InvalidInputError } from '../errors/errors.js';
import type { Packet } from '../contract/interchain.js';
import { checkId, checkMethod } from '../validation/input.js';

const DOMAIN = 'bsn:packet-id:v1\n';
const CHAIN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/**
 * The packet id: SHA-256 over a domain tag and the RFC 8785 encoding of the five fields
 * that name a packet. Derived, never taken from input, so a relayer cannot make two
 * packets share an id or one packet carry two.
 */
export function packetId(p: Pick<Packet, 'srcChain' | 'srcApp' | 'dstChain' | 'dstApp' | 'seq'>): string {
  const named = { srcChain: p.srcChain, srcApp: p.srcApp, dstChain: p.dstChain, dstApp: p.dstApp, seq: p.seq };
  return createHash('sha256')
    .update(DOMAIN + canonicalJson(named))
    .digest('hex');
}

/** The canonical bytes of a whole packet, what evidence commits to. */
export function packetBytes(p: Packet): Uint8Array {
  return new TextEncoder().encode(canonicalJson(p));
}

/** Commitment stored on the source chain: SHA-256 of the canonical packet under its own domain. */
export function packetCommitment(p: Packet): string {
  return createHash('sha256').update('bsn:packet-commitment:v1\n').update(packetBytes(p)).digest('hex');
}

/** Whether `value` is spelt as a packet id: 64 lowercase hex digits (what `packetId` returns). */
export function isPacketId(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);
}

/** Refuses a packet that cannot be honest: every field checked, zero and default values included. */
export function checkPacket(value: unknown, field = '/packet'): Packet {
  if (typeof value !== 'object' || value === null) throw new InvalidInputError(`${field}: must be a packet object`, { field });
  const p = value as Record<string, unknown>;
  if (p.v !== 1) throw new InvalidInputError(`${field}/v: must be 1`, { field: `${field}/v` });
  for (const k of ['srcChain', 'dstChain'] as const) {
    if (typeof p[k] !== 'string' || !CHAIN.test(p[k] as string)) {
      throw new InvalidInputError(`${field}/${k}: must be a chain name (lowercase, 1–64 chars)`, { field: `${field}/${k}` });
    }
  }
  checkId(p.srcApp, `${field}/srcApp`);
  checkId(p.dstApp, `${field}/dstApp`);
  checkMethod(p.method, `${field}/method`);
  checkId(p.grantRef, `${field}/grantRef`);
  if (!Number.isSafeInteger(p.seq) || (p.seq as number) < 1) {
    throw new InvalidInputError(`${field}/seq: must be an integer ≥ 1`, { field: `${field}/seq` });
  }
  if (!Number.isSafeInteger(p.timeout) || (p.timeout as number) <= 0) {
    throw new InvalidInputError(`${field}/timeout: must be a positive ms timestamp`, { field: `${field}/timeout` });
  }
  if (typeof p.payload !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(p.payload)) {
    throw new InvalidInputError(`${field}/payload: must be base64`, { field: `${field}/payload` });
  }
  const extra = Object.keys(p).filter((k) => !PACKET_FIELDS.has(k));
  if (extra.length) throw new InvalidInputError(`${field}: unknown field ${extra[0]}`, { field: `${field}/${extra[0]}` });
  return p as unknown as Packet;
}

const PACKET_FIELDS = new Set(['v', 'srcChain', 'srcApp', 'dstChain', 'dstApp', 'seq', 'method', 'payload', 'timeout', 'grantRef']);

/**
 * The step every verifier takes with the packet an evidence carries: well-formed, sent from
 * the chain the trust roots pin, and the packet the evidence is about. Returns why not
 * (a verifier answers `rejected` with it), or the packet and its id.
 */
export function evidencePacket(
  value: unknown,
  rootsChain: string,
  subjectPacketId: string,
): { packet: Packet; id: string } | { reason: string } {
  let packet: Packet;
  try {
    packet = checkPacket(structuredClone(value));
  } catch (error) {
    return { reason: `the packet is malformed: ${(error as Error).message}` };
  }
  if (packet.srcChain !== rootsChain)
    return { reason: `the packet's srcChain ${packet.srcChain} is not the chain ${rootsChain} of the roots` };
  const id = packetId(packet);
  if (id !== subjectPacketId) return { reason: `the packet's id is ${id}, the evidence's subject names ${subjectPacketId}` };
  return { packet, id };
}
