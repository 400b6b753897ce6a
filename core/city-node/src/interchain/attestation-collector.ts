/**
 * Gathers attestations for one request from every attester the node knows — itself (in process)
 * and its pinned peers (signed node-to-node API) — in parallel. What it returns is what the chain
 * will count; the chain, not this code, decides whether it is enough and by whom.
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
    const answers = await this.ask(request);
    const got = answers.flatMap((a) => ('attestation' in a.answer ? [a.answer.attestation] : []));
    if (got.length < this.threshold)
      throw new Error(
        `${got.length} of the ${this.threshold} attestations needed for the ${request.kind}: ${answers
          .filter((a) => a.error)
          .map((a) => `${a.name}: ${a.error}`)
          .join('; ')}`,
      );
    return got;
  }

  /**
   * Evidence with the block attestations the attesters give (for frameworks whose roots count
   * them, Ethereum); those that cannot vouch for the block refuse and are left out.
   */
  async withBlockAttestations(evidence: Evidence): Promise<Evidence> {
    if (!evidence.blockHash) return evidence;
    const answers = await this.ask({
      kind: 'block',
      block: { framework: evidence.framework, chain: evidence.chain, number: evidence.block, hash: evidence.blockHash },
    });
    const attestations: BlockAttestation[] = answers.flatMap((a) => ('blockAttestation' in a.answer ? [a.answer.blockAttestation] : []));
    return attestations.length ? { ...evidence, attestations: [...(evidence.attestations ?? []), ...attestations] } : evidence;
  }

  private async ask(request: AttestationRequest): Promise<Array<{ name: string; answer: AttestationAnswer | object; error?: string }>> {
    const settled = await Promise.allSettled(this.attesters.map((a) => a.attest(request)));
    return settled.map((s, i) =>
      s.status === 'fulfilled'
        ? { name: this.attesters[i]!.name, answer: s.value }
        : { name: this.attesters[i]!.name, answer: {}, error: (s.reason as Error).message },
    );
  }
}
