/**
 * The fail-closed frame of an interchain verifier: every check either passes or rejects with
 * a reason, an unexpected throw is a rejection too, and the evidence envelope (version,
 * framework, chain, subject) is checked the same way by every framework.
 */
import type { Evidence, TrustRoots, Verification } from '../contract/interchain.js';
import { isPacketId } from '../interchain/packet.js';

/** Thrown by `reject` inside a verifier; `failClosed` turns it into `rejected`. */
export class EvidenceRejection extends Error {
  override readonly name = 'EvidenceRejection';
}

/** Stops verification with `reason`. */
export function reject(reason: string): never {
  throw new EvidenceRejection(reason);
}

/** A non-negative safe integer, or a rejection naming `what`. */
export function evidenceIndex(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) reject(`${what} must be a non-negative integer`);
  return value;
}

/** Runs a verifier so that it never throws: any failure is `rejected` with its reason. */
export async function failClosed(verify: () => Verification | Promise<Verification>): Promise<Verification> {
  try {
    return await verify();
  } catch (error) {
    if (error instanceof EvidenceRejection) return { state: 'rejected', reason: error.message };
    return { state: 'rejected', reason: `the evidence could not be checked: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/**
 * The envelope every framework's evidence shares: version 1, this framework, the chain the
 * roots are pinned for, a subject of a kind this verifier proves (`kinds`: packets only unless
 * the adapter claims `interchain.deliver`) with a well-formed packet id. Returns the packet id.
 */
export function checkEvidenceEnvelope(
  evidence: Evidence,
  trust: TrustRoots,
  framework: string,
  kinds: ReadonlyArray<Evidence['subject']['kind']> = ['packet'],
): string {
  if (typeof evidence !== 'object' || evidence === null) reject('no evidence');
  if (evidence.v !== 1) reject('evidence version must be 1');
  if (evidence.framework !== framework) reject(`evidence is for ${String(evidence.framework)}, not ${framework}`);
  if (evidence.chain !== trust.chain) reject(`evidence is from chain ${String(evidence.chain)}, the roots are for ${String(trust.chain)}`);
  const subject = evidence.subject;
  if (typeof subject !== 'object' || subject === null) reject('evidence names no subject');
  if (!kinds.includes(subject.kind))
    reject(`evidence of a ${String(subject.kind)} is not proven by this verifier (it proves: ${kinds.join(', ')})`);
  if (!isPacketId(subject.packetId)) reject('subject.packetId is not a packet id');
  return subject.packetId;
}
