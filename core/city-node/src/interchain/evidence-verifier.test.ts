import { describe, expect, it } from 'vitest';
import type { Adapter, Evidence, TrustRoots, Verification } from '@bsn/contract';
import type { ConnectedNetwork } from '../networks.js';
import { EvidenceVerifier } from './evidence-verifier.js';

const evidence: Evidence = {
  v: 1,
  framework: 'fake',
  chain: 'chain-a',
  subject: { kind: 'packet', packetId: 'ab'.repeat(32) },
  txId: 't1',
  block: 1,
  proof: {},
};
const pinned: TrustRoots = { framework: 'fake', chain: 'chain-a', roots: { pinnedBy: 'config' } };

/** A plugin that records the roots it was given and answers `answer`. */
function plugin(answer: () => Promise<Verification>, certified = true) {
  const seen: TrustRoots[] = [];
  const network = {
    name: 'n',
    framework: 'fake',
    certified,
    adapter: { interchain: { verify: (_e: Evidence, t: TrustRoots) => (seen.push(t), answer()) } } as unknown as Adapter,
  } as ConnectedNetwork;
  return { network, seen };
}

const proven = async (): Promise<Verification> => ({ state: 'proven', subject: evidence.subject });

describe('EvidenceVerifier', () => {
  it("verifies with the roots pinned in the node's config, whatever roots the evidence carries", async () => {
    const { network, seen } = plugin(proven);
    const v = new EvidenceVerifier({ all: () => [network] }, [pinned]);
    const carried = { ...evidence, proof: { roots: { pinnedBy: 'attacker' } } } as Evidence & { roots?: unknown };
    expect((await v.verify(carried)).state).toBe('proven');
    expect(seen).toEqual([pinned]);
  });

  it('rejects a chain with no pinned roots, a framework other than the pinned one, and a framework no certified plugin verifies', async () => {
    const { network } = plugin(proven);
    const v = new EvidenceVerifier({ all: () => [network] }, [pinned]);
    expect(await v.verify({ ...evidence, chain: 'chain-x' })).toEqual({
      state: 'rejected',
      reason: "no trust roots pinned for chain chain-x in this node's config",
    });
    expect(await v.verify({ ...evidence, framework: 'other' })).toMatchObject({ reason: 'chain chain-a runs fake, not other' });
    const uncertified = plugin(proven, false);
    expect(await new EvidenceVerifier({ all: () => [uncertified.network] }, [pinned]).verify(evidence)).toMatchObject({
      reason: 'no certified fake plugin on this node verifies evidence',
    });
    // Development mode only: an uncertified plugin may verify.
    expect((await new EvidenceVerifier({ all: () => [uncertified.network] }, [pinned], true).verify(evidence)).state).toBe('proven');
  });

  it('fails closed: a plugin that throws, or answers anything but proven, is a rejection', async () => {
    const throwing = plugin(() => Promise.reject(new Error('boom')));
    expect(await new EvidenceVerifier({ all: () => [throwing.network] }, [pinned]).verify(evidence)).toEqual({
      state: 'rejected',
      reason: 'the fake verifier failed: boom',
    });
    const odd = plugin(async () => ({ state: 'Proven' }) as unknown as Verification);
    expect((await new EvidenceVerifier({ all: () => [odd.network] }, [pinned]).verify(evidence)).state).toBe('rejected');
    expect((await new EvidenceVerifier({ all: () => [odd.network] }, [pinned]).verify(null as unknown as Evidence)).state).toBe('rejected');
  });
});
