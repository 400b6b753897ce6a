/**
 * Gathers attestations for one request from every attester the node knows — itself (in process)
 * and its pinned peers (signed node-to-node API) — in parallel, and answers as soon as `threshold`
 * of them gave one: a slow or hung peer (30 s until its request times out) delays no packet that
 * the others can carry, and the relay step does not wait for the slowest attester. What it returns
 * is what the chain will count; the chain, not this code, decides whether it is enough and by whom.
 */
import type { BlockAttestation, Evidence, InterchainAttestation } from '@bsn/contract';
import type { AttestationAnswer, AttestationRequest } from './attester.js';

/** One attester: a peer over HTTP, or this node itself. */
export interface AttesterEndpoint {
  name: string;
  attest(request: AttestationRequest): Promise<AttestationAnswer>;
}

export class AttestationCollector {
  constructor(
    private readonly attesters: AttesterEndpoint[],
    /** How many attestations to wait for before submitting (the t the target chain pins). */
    private readonly threshold: number,
  ) {}

  /** At least `threshold` interchain attestations, or an error naming each attester's refusal. */
  async interchain(request: Exclude<AttestationRequest, { kind: 'block' }>): Promise<InterchainAttestation[]> {
    const { got, refusals } = await this.gather(request, (a) => ('attestation' in a ? a.attestation : undefined));
    if (got.length < this.threshold)
      throw new Error(`${got.length} of the ${this.threshold} attestations needed for the ${request.kind}: ${refusals.join('; ')}`);
    return got;
  }

  /**
   * Evidence with the block attestations the attesters give (for frameworks whose roots count
   * them, Ethereum); those that cannot vouch for the block refuse and are left out.
   */
  async withBlockAttestations(evidence: Evidence): Promise<Evidence> {
    if (!evidence.blockHash) return evidence;
    const block = { framework: evidence.framework, chain: evidence.chain, number: evidence.block, hash: evidence.blockHash };
    const { got } = await this.gather({ kind: 'block', block }, (a) => ('blockAttestation' in a ? a.blockAttestation : undefined));
    return got.length ? { ...evidence, attestations: [...(evidence.attestations ?? []), ...got] } : evidence;
  }

  /** Asks every attester at once; settles when `threshold` answered with what `pick` finds, or all have answered. */
  private gather<T>(
    request: AttestationRequest,
    pick: (answer: AttestationAnswer) => T | undefined,
  ): Promise<{ got: T[]; refusals: string[] }> {
    return new Promise((resolve) => {
      const got: T[] = [];
      const refusals: string[] = [];
      let pending = this.attesters.length;
      const settle = () => resolve({ got: [...got], refusals: [...refusals] });
      if (pending === 0) settle();
      for (const attester of this.attesters) {
        attester
          .attest(request)
          .then(
            (answer) => {
              const value = pick(answer);
              if (value === undefined) refusals.push(`${attester.name}: answered without an attestation`);
              else got.push(value);
            },
            (err: unknown) => refusals.push(`${attester.name}: ${(err as Error).message}`),
          )
          .finally(() => {
            pending--;
            if (got.length >= this.threshold || pending === 0) settle();
          });
      }
    });
  }
}
