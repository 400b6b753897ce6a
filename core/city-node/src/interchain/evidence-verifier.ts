/**
 * Verifies evidence from any framework this node has a certified plugin for, against the trust
 * roots the node's config pins for the evidence's chain — never roots the evidence (or whoever
 * carried it) supplies. Fails closed: anything short of the plugin's own `proven` is rejected
 * with a reason, and a plugin that throws is a rejection too.
 */
import type { Evidence, TrustRoots, Verification } from '@bsn/contract';
import type { ConnectedNetwork, Networks } from '../networks.js';

const CHAIN_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export class EvidenceVerifier {
  private readonly pinned: Map<string, TrustRoots>;

  constructor(
    private readonly networks: Pick<Networks, 'all'>,
    pinned: TrustRoots[],
    /** Development mode: an uncertified plugin may verify too (never in production). */
    private readonly allowUncertified = false,
  ) {
    this.pinned = new Map(pinned.map((r) => [r.chain, r]));
  }

  /** The roots pinned for `chain`, if any. */
  roots(chain: string): TrustRoots | undefined {
    return this.pinned.get(chain);
  }

  /** The connected network whose plugin verifies `framework`'s evidence. */
  private verifierOf(framework: string): ConnectedNetwork | undefined {
    return this.networks
      .all()
      .find(
        (n) => n.framework === framework && (n.certified || this.allowUncertified) && typeof n.adapter.interchain?.verify === 'function',
      );
  }

  async verify(evidence: Evidence): Promise<Verification> {
    if (typeof evidence !== 'object' || evidence === null) return rejected('evidence is not an object');
    if (typeof evidence.chain !== 'string' || !CHAIN_RE.test(evidence.chain)) return rejected('evidence names no chain');
    const pinned = this.pinned.get(evidence.chain);
    if (!pinned) return rejected(`no trust roots pinned for chain ${evidence.chain} in this node's config`);
    if (evidence.framework !== pinned.framework)
      return rejected(`chain ${evidence.chain} runs ${pinned.framework}, not ${String(evidence.framework)}`);
    const network = this.verifierOf(pinned.framework);
    if (!network) return rejected(`no certified ${pinned.framework} plugin on this node verifies evidence`);
    try {
      const answer = await network.adapter.interchain!.verify(evidence, pinned);
      // Only the exact `proven` state counts; whatever else a plugin answers is a rejection.
      if (answer?.state === 'proven') return answer;
      return rejected(answer?.state === 'rejected' ? answer.reason : 'the verifier did not answer proven');
    } catch (err) {
      return rejected(`the ${pinned.framework} verifier failed: ${(err as Error).message}`);
    }
  }
}

const rejected = (reason: string): Verification => ({ state: 'rejected', reason });
