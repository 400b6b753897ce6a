/**
 * Trust roots for EOS evidence (`TrustRoots.roots` with framework `eos`), pinned by a city
 * node's configuration for one chain:
 *
 * - `contract`: the account running the preset contract, whose `emit` actions count;
 * - `schedule`: the producer schedule (`version`, and each producer's `name` and signing `key`,
 *   `PUB_K1_…`/`PUB_R1_…`/legacy `EOS…`): blocks are checked against these keys, and a block is
 *   irreversible once ⌊2n/3⌋+1 distinct scheduled producers have signed blocks built on it;
 * - `attesters` / `threshold` (optional): city nodes, t of which must also attest the block.
 *
 * No chain id: nothing a light verifier checks commits to it (block ids and producer signatures
 * do not; only transaction signatures do, by keys nobody pins), so pinning it would look like a
 * check and be none. The pinned schedule's keys are what tell this chain from another.
 */
import { attesterPolicyFault, type Attester, type TrustRoots } from '@bsn/contract';
import { isAccountName, parsePublicKey, type AntelopeCurve } from '../antelope/index.js';
import { FRAMEWORK } from '../framework.js';

export interface PinnedProducer {
  name: string;
  key: string;
}

export interface EosRoots {
  contract: string;
  schedule: { version: number; producers: PinnedProducer[] };
  attesters?: Attester[];
  threshold?: number;
}

/** A producer's key, ready to compare with a recovered one. */
export interface ProducerKey {
  curve: AntelopeCurve;
  compressed: Uint8Array;
}

export type RootsCheck = { ok: true; roots: EosRoots; keys: Map<string, ProducerKey>; quorum: number } | { ok: false; reason: string };

/** Checks roots before any evidence is looked at: zero, empty and missing roots are never valid. */
export function checkRoots(trust: TrustRoots): RootsCheck {
  if (typeof trust !== 'object' || trust === null) return { ok: false, reason: 'no trust roots' };
  if (trust.framework !== FRAMEWORK) return { ok: false, reason: `trust roots are for ${String(trust.framework)}, not ${FRAMEWORK}` };
  const r = trust.roots as Partial<Record<keyof EosRoots, unknown>> | undefined;
  if (typeof r !== 'object' || r === null) return { ok: false, reason: 'trust roots are empty' };
  if (!isAccountName(r.contract)) return { ok: false, reason: 'trust roots pin no contract account' };
  const schedule = r.schedule as Partial<EosRoots['schedule']> | undefined;
  if (typeof schedule !== 'object' || schedule === null || !Number.isSafeInteger(schedule.version) || (schedule.version as number) < 0) {
    return { ok: false, reason: 'trust roots pin no producer schedule (version, producers)' };
  }
  if (!Array.isArray(schedule.producers) || schedule.producers.length === 0) {
    return { ok: false, reason: 'trust roots pin no producers (the schedule is empty)' };
  }
  const keys = new Map<string, ProducerKey>();
  for (const [i, p] of schedule.producers.entries()) {
    const { name, key } = (p ?? {}) as Partial<PinnedProducer>;
    if (!isAccountName(name) || keys.has(name)) return { ok: false, reason: `pinned producer ${i} has no name, or is listed twice` };
    try {
      const parsed = parsePublicKey(String(key));
      if (parsed.compressed.every((b) => b === 0)) throw new Error('zero key');
      keys.set(name, parsed);
    } catch {
      return { ok: false, reason: `pinned producer ${name} has no valid signing key` };
    }
  }
  if (r.attesters !== undefined || r.threshold !== undefined) {
    const fault = attesterPolicyFault(r.attesters, r.threshold);
    if (fault) return { ok: false, reason: `trust roots' attester policy is unsound: ${fault}` };
  }
  return {
    ok: true,
    roots: r as EosRoots,
    keys,
    // DPoS irreversibility: more than two thirds of the schedule built on the block.
    quorum: Math.floor((2 * keys.size) / 3) + 1,
  };
}
