/**
 * What a target chain checks before it executes a packet, and a source chain before it records
 * an acknowledgement or a timeout: t-of-M city-node attestations over a 32-byte commitment the
 * chain rebuilds itself. Every attester verified the framework evidence with its own certified
 * verifier and pinned roots before signing; the chain only counts pinned signers, so a relayer
 * carries bytes and cannot forge a delivery (docs/interchain-delivery.md).
 *
 * Everything signed here is rebuildable in Solidity, chaincode and EOS contracts: canonical JSON
 * of fields whose alphabets need no escaping, SHA-256, and secp256k1 recoverable signatures
 * (what `ecrecover` checks).
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../encoding/canonical-json.js';
import { fromHex, toBase64, toHex, utf8 } from '../encoding/bytes.js';
import { InvalidInputError } from '../errors/errors.js';
import { ecdsaPublicKey, ecdsaRecoverPublicKey, ecdsaSignDigest, ecdsaIsValidPublicKey } from '../crypto/ecdsa.js';
import type { Ack, AckStatus, AttestedKind, DeliveryAttesters, InterchainAttestation, Packet } from '../contract/interchain.js';
import { isPacketId, packetCommitment, packetId } from './packet.js';

/** How a delivered call ended on the target: `OK`, or the typed error code of its failure. */
export const ACK_STATUSES: readonly AckStatus[] = ['OK', 'INVALID_INPUT', 'NOT_FOUND', 'CONFLICT', 'REJECTED_BY_CHAIN', 'UNAUTHORIZED'];

/** What an attestation vouches for: a packet committed on its source, an ack or a timeout recorded on its target. */
export const ATTESTED_KINDS: Readonly<Record<AttestedKind, number>> = { packet: 1, ack: 2, timeout: 3 };

/** A city node's signature over `interchainDigest(kind, commitment)`: secp256k1, r‖s‖v (65 bytes hex, v 27/28). */

const ACK_DOMAIN = 'bsn:ack-commitment:v1\n';
const ATTESTATION_DOMAIN = 'bsn:interchain-attestation:v1\n';
const HEX32 = /^[0-9a-f]{64}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const sha256 = (...parts: Uint8Array[]): Uint8Array => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};

/** Refuses an ack that cannot be one: every field spelt as the chains spell it. */
export function checkAck(value: unknown, field = '/ack'): Ack {
  if (typeof value !== 'object' || value === null) throw new InvalidInputError(`${field}: must be an ack object`, { field });
  const a = value as Record<string, unknown>;
  const bad = (k: string, why: string): never => {
    throw new InvalidInputError(`${field}/${k}: ${why}`, { field: `${field}/${k}` });
  };
  if (!isPacketId(a.packetId)) bad('packetId', 'must be a packet id (64 lowercase hex digits)');
  if (typeof a.commitment !== 'string' || !HEX32.test(a.commitment) || /^0+$/.test(a.commitment))
    bad('commitment', 'must be a non-zero 32-byte hex commitment');
  if (!ACK_STATUSES.includes(a.status as AckStatus)) bad('status', `must be one of ${ACK_STATUSES.join(', ')}`);
  if (typeof a.result !== 'string' || !BASE64.test(a.result)) bad('result', 'must be base64');
  const extra = Object.keys(a).find((k) => !['packetId', 'commitment', 'status', 'result'].includes(k));
  if (extra !== undefined) bad(extra, 'unknown field');
  return a as unknown as Ack;
}

/** SHA-256 under its own domain of the ack's RFC 8785 JSON (hex): what an ack attestation signs. */
export function ackCommitment(ack: Ack): string {
  const { packetId: id, commitment, status, result } = checkAck(ack);
  return toHex(sha256(utf8(ACK_DOMAIN), utf8(canonicalJson({ commitment, packetId: id, result, status }))));
}

/** The ack a target writes for `packet`. */
export function ackFor(packet: Packet, status: AckStatus, result: Uint8Array = new Uint8Array()): Ack {
  return { packetId: packetId(packet), commitment: packetCommitment(packet), status, result: toBase64(result) };
}

/** The 32 bytes an attester signs: SHA-256(domain ‖ kind byte ‖ commitment bytes). */
export function interchainDigest(kind: AttestedKind, commitment: string): Uint8Array {
  if (!(kind in ATTESTED_KINDS)) throw new InvalidInputError(`/kind: must be packet, ack or timeout`, { field: '/kind' });
  if (!HEX32.test(commitment) || /^0+$/.test(commitment))
    throw new InvalidInputError('/commitment: must be a non-zero 32-byte hex commitment', { field: '/commitment' });
  return sha256(utf8(ATTESTATION_DOMAIN), Uint8Array.of(ATTESTED_KINDS[kind]), fromHex(commitment));
}

/** Signs an attestation with a city node's secp256k1 attester key. */
export function attestInterchain(kind: AttestedKind, commitment: string, privateKey: Uint8Array): InterchainAttestation {
  const { compact, recovery } = ecdsaSignDigest('secp256k1', privateKey, interchainDigest(kind, commitment));
  if (recovery === undefined) throw new Error('secp256k1 signing returned no recovery id');
  const signature = new Uint8Array(65);
  signature.set(compact, 0);
  signature[64] = 27 + recovery;
  return { kind, commitment, signature: toHex(signature) };
}

/** The attester public key (uncompressed hex) of a private key. */
export function attesterPublicKey(privateKey: Uint8Array): string {
  return toHex(ecdsaPublicKey('secp256k1', privateKey));
}

/** The public key that signed `a`, or null for a signature that recovers to none (high S, bad v, bad length). */
export function attestationSigner(a: InterchainAttestation): string | null {
  if (typeof a?.signature !== 'string' || !/^[0-9a-f]{130}$/.test(a.signature)) return null;
  let digest: Uint8Array;
  try {
    digest = interchainDigest(a.kind, a.commitment);
  } catch {
    return null;
  }
  const sig = fromHex(a.signature);
  const v = sig[64]!;
  if (v !== 27 && v !== 28) return null;
  const key = ecdsaRecoverPublicKey('secp256k1', digest, sig.slice(0, 64), v - 27);
  return key ? toHex(key) : null;
}

/** Why a pinned attester set is unsound (no keys, a key twice or invalid, t outside 1..M or t ≤ M/2), or undefined. */
export function deliveryAttestersFault(pinned: DeliveryAttesters): string | undefined {
  const keys = pinned?.publicKeys;
  if (!Array.isArray(keys) || keys.length === 0) return 'no attesters pinned';
  const seen = new Set<string>();
  for (const [i, k] of keys.entries()) {
    if (typeof k !== 'string' || !/^04[0-9a-f]{128}$/.test(k) || !ecdsaIsValidPublicKey('secp256k1', fromHex(k)))
      return `attester ${i} is not a secp256k1 public key`;
    if (seen.has(k)) return `attester ${i} is pinned twice`;
    seen.add(k);
  }
  const t = pinned.threshold;
  if (!Number.isSafeInteger(t) || t < 1 || t > keys.length) return `threshold ${String(t)} is outside 1..${keys.length}`;
  if (t * 2 <= keys.length) return `threshold ${t} of ${keys.length} is not a majority`;
  return undefined;
}

/**
 * What a chain does with attestations, off chain (the relayer's pre-check, the tests' oracle):
 * counts distinct pinned signers over (`kind`, `commitment`), each once. Fails closed.
 */
export function countAttestations(
  kind: AttestedKind,
  commitment: string,
  attestations: unknown,
  pinned: DeliveryAttesters,
): { ok: true; signers: string[] } | { ok: false; reason: string } {
  const fault = deliveryAttestersFault(pinned);
  if (fault) return { ok: false, reason: `pinned attesters unsound: ${fault}` };
  if (!Array.isArray(attestations) || attestations.length === 0) return { ok: false, reason: 'no attestations' };
  const allowed = new Set(pinned.publicKeys);
  const signers = new Set<string>();
  for (const a of attestations as InterchainAttestation[]) {
    if (a?.kind !== kind || a.commitment !== commitment) continue;
    const who = attestationSigner(a);
    if (who && allowed.has(who)) signers.add(who);
  }
  if (signers.size < pinned.threshold)
    return { ok: false, reason: `${signers.size} of the ${pinned.threshold} pinned attesters needed signed this ${kind}` };
  return { ok: true, signers: [...signers] };
}
