import { expect } from 'vitest';
import { defineCases } from '../case.js';
import type { SuiteContext } from '../context.js';
import {
  attestBlock,
  generatePrivateKey,
  packetId,
  publicKeyOf,
  toHex,
  type AppRef,
  type Attester,
  type Evidence,
  type Interchain,
  type KeyAlgorithm,
  type PacketInput,
  type TrustRoots,
} from '@bsn/contract';

function interchainOf(ctx: SuiteContext): Interchain {
  const ic = ctx.adapter.interchain;
  if (!ic) throw new Error('the adapter claims interchain capabilities but has no interchain part');
  return ic;
}

export const interchainCases = defineCases([
  {
    id: 'IC-001',
    title: "an emitted packet has evidence that this framework's verifier proves",
    level: 'MUST',
    capability: 'interchain.evidence',
    async run(ctx) {
      const ic = interchainOf(ctx);
      const app = await ctx.newApp();
      const { packet, receipt } = await ic.emit(app, packetInput(ctx), ctx.member.signer);
      expect(packet.srcApp).toBe(app.appId);
      expect(packet.seq).toBeGreaterThanOrEqual(1);
      const nodes = await cityNodes(ctx, ic);
      const evidence = await nodes.attest(await ic.evidence(receipt.txId, { kind: 'packet', packetId: packetId(packet) }), app);
      const verdict = await ic.verify(evidence, nodes.trust);
      expect(verdict.state, verdict.state === 'rejected' ? verdict.reason : '').toBe('proven');
      expect(verdict).toMatchObject({ subject: { kind: 'packet', packetId: packetId(packet) } });
      // evidence travels between city nodes as JSON
      expect((await ic.verify(JSON.parse(JSON.stringify(evidence)), nodes.trust)).state).toBe('proven');
    },
  },
  {
    id: 'IC-002',
    title: 'tampered evidence, or evidence checked against other roots, is rejected',
    level: 'MUST',
    capability: 'interchain.verify',
    async run(ctx) {
      const ic = interchainOf(ctx);
      const app = await ctx.newApp();
      const { packet, receipt } = await ic.emit(app, packetInput(ctx), ctx.member.signer);
      const nodes = await cityNodes(ctx, ic);
      const evidence = await nodes.attest(await ic.evidence(receipt.txId, { kind: 'packet', packetId: packetId(packet) }), app);
      const trust = nodes.trust;
      const tampered = structuredClone(evidence);
      tampered.subject.packetId = tampered.subject.packetId.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
      expect((await ic.verify(tampered, trust)).state).toBe('rejected');
      expect((await ic.verify(evidence, { ...trust, roots: {} })).state).toBe('rejected');
      expect((await ic.verify(evidence, { ...trust, chain: 'another-chain' })).state).toBe('rejected');
      if (evidence.blockHash !== undefined) {
        // an attested framework: below threshold, or attested by keys nobody pinned, proves nothing
        expect((await ic.verify({ ...evidence, attestations: evidence.attestations!.slice(0, 1) }, trust)).state).toBe('rejected');
        const strangers = await cityNodes(ctx, ic);
        expect((await ic.verify(await strangers.attest(evidence, app), trust)).state).toBe('rejected');
      }
    },
  },
]);

function packetInput(ctx: SuiteContext): PacketInput {
  return {
    dstChain: 'conformance-peer',
    dstApp: 'target-app',
    method: 'ping',
    payload: Buffer.from('hello').toString('base64'),
    timeout: Date.now() + 3_600_000,
    grantRef: ctx.unique('grant'),
  };
}

/**
 * The suite acting as three city nodes (one key per algorithm of the standard, 2 of 3 must
 * attest): the roots they would pin come from the adapter's `trustRoots()`, and each node
 * attests a block only after checking it on its own connection (`gateway.block(n, srcApp)`,
 * the source app's ledger, has the hash the evidence names).
 */
async function cityNodes(
  ctx: SuiteContext,
  ic: Interchain,
): Promise<{ trust: TrustRoots; attest(e: Evidence, srcApp: AppRef): Promise<Evidence> }> {
  if (!ic.trustRoots)
    throw new Error('an adapter claiming interchain.* must offer Interchain.trustRoots() so city nodes can pin its roots');
  const algorithms: KeyAlgorithm[] = ['secp256k1', 'secp256r1', 'sm2'];
  const keys = algorithms.map((algorithm) => ({ algorithm, privateKey: generatePrivateKey(algorithm) }));
  const attesters: Attester[] = keys.map((k) => ({ algorithm: k.algorithm, publicKey: toHex(publicKeyOf(k.algorithm, k.privateKey)) }));
  const trust = await ic.trustRoots(attesters, 2);
  expect(trust.framework).toBe(ctx.description.framework);
  expect(trust.chain).toBe(ctx.network.name);
  return {
    trust,
    async attest(e, srcApp) {
      const block = await ctx.adapter.gateway.block(e.block, srcApp);
      if (e.blockHash !== undefined) expect(block.hash.toLowerCase().replace(/^0x/, '')).toBe(e.blockHash.toLowerCase().replace(/^0x/, ''));
      const attestations = keys
        .slice(0, 2)
        .map((k) => attestBlock({ framework: e.framework, chain: e.chain, number: e.block, hash: block.hash }, k));
      return { ...structuredClone(e), attestations };
    },
  };
}
