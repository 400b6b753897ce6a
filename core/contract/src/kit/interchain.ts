/**
 * What every adapter claiming `interchain.*` checks of its callers' input before anything
 * touches a chain: an emit's app and packet, an evidence request's subject, and the attester
 * policy `trustRoots()` is asked to pin. Each refusal is InvalidInputError naming the field.
 */
import type { Evidence, Packet } from '../contract/interchain.js';
import { InvalidInputError } from '../errors/errors.js';
import { pinAttesters, type AttestationPolicy, type Attester } from '../interchain/attestation.js';
import { checkPacket, isPacketId } from '../interchain/packet.js';
import { checkAppRef } from '../validation/input.js';

function invalid(field: string, message: string): never {
  throw new InvalidInputError(`${field}: ${message}`, { field });
}

/** The fields of a packet its sender chooses, with this chain as the source: no `v`, `srcApp` or `seq`. */
export type SentPacketFields = Pick<Packet, 'srcChain' | 'dstChain' | 'dstApp' | 'method' | 'payload' | 'timeout' | 'grantRef'>;

/** An emit after its checks. */
export interface EmitPlan {
  srcApp: string;
  fields: SentPacketFields;
  /** The whole packet once the source chain has assigned `seq` (checked again: the seq is the chain's). */
  packetAt(seq: number): Packet;
}

/**
 * Checks `emit(app, input)` for a source chain named `srcChain`: the app, the packet an object
 * (`/packet`), and every field as the packet it makes (`/packet/dstChain`, …), so malformed
 * input is refused before anything is sent. Fields beyond `PacketInput`'s are not read.
 */
export function checkEmitRequest(app: unknown, input: unknown, srcChain: string): EmitPlan {
  const { appId: srcApp } = checkAppRef(app);
  if (typeof input !== 'object' || input === null) invalid('/packet', 'must be an object');
  const p = input as Partial<SentPacketFields>;
  const fields = {
    srcChain,
    dstChain: p.dstChain,
    dstApp: p.dstApp,
    method: p.method,
    payload: p.payload,
    timeout: p.timeout,
    grantRef: p.grantRef,
  } as SentPacketFields;
  const packetAt = (seq: number): Packet => checkPacket({ v: 1, ...fields, srcApp, seq });
  packetAt(1);
  return { srcApp, fields, packetAt };
}

/**
 * Checks the subject `evidence(txId, subject)` is asked for: `{ kind, packetId }` with a kind
 * the adapter proves (`kinds`: packets, and acks and timeouts where it claims `interchain.deliver`).
 * The transaction id is the framework's to check.
 */
export function checkEvidenceSubject<K extends Evidence['subject']['kind'] = 'packet'>(
  subject: unknown,
  kinds: readonly K[] = ['packet'] as K[],
): { kind: K; packetId: string } {
  if (typeof subject !== 'object' || subject === null) invalid('/subject', 'must be { kind, packetId }');
  const { kind, packetId } = subject as Partial<Evidence['subject']>;
  if (!kinds.includes(kind as K))
    invalid(
      '/subject/kind',
      `must be ${kinds.join(' or ')}${kinds.length === 1 ? ' (acks and timeouts are proven by adapters that deliver)' : ''}`,
    );
  if (!isPacketId(packetId)) invalid('/subject/packetId', 'must be a packet id (64 lowercase hex digits)');
  return { kind: kind as K, packetId: packetId as string };
}

/**
 * The attester policy `trustRoots(attesters, threshold)` pins, or InvalidInputError naming the
 * field (`/attesters`, `/attesters/1/publicKey`, `/threshold`). Fails closed: at least one
 * attester, each a known algorithm with a valid public key, none twice, 1 ≤ threshold ≤ their
 * number. Returns copies of the attesters as given.
 */
export function checkAttesterPolicy(attesters: unknown, threshold: unknown): AttestationPolicy {
  const checked = pinAttesters(attesters, threshold);
  if (!checked.ok) invalid(checked.field, checked.reason);
  return {
    attesters: (attesters as Attester[]).map(({ algorithm, publicKey }) => ({ algorithm, publicKey })),
    threshold: checked.threshold,
  };
}

/** Why pinned roots' attester policy is unsound, for a verifier's `rejected`; undefined when it is sound. */
export function attesterPolicyFault(attesters: unknown, threshold: unknown): string | undefined {
  const checked = pinAttesters(attesters, threshold);
  return checked.ok ? undefined : checked.reason;
}
