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
      // The proof itself, byte string by byte string (the attestations left as they were): every
      // one is bound to what it proves — receipt bytes a verifier does not compare would prove a
      // packet never sent.
      const variants = tamperedProofs(evidence);
      expect(variants.length, 'the proof carries byte strings to check').toBeGreaterThan(0);
      for (const [path, variant] of variants) {
        const verdict = await ic.verify(variant, trust);
        expect(verdict.state, `evidence with proof${path} altered`).toBe('rejected');
      }
      // Parts of another packet's genuine evidence spliced in, claiming that packet: each part
      // must be bound to the rest (a receipt not compared with the proven one would pass here).
      const other = await ic.emit(app, packetInput(ctx), ctx.member.signer);
      const otherEvidence = await ic.evidence(other.receipt.txId, { kind: 'packet', packetId: packetId(other.packet) });
      for (const part of [undefined, ...Object.keys(evidence.proof)]) {
        if (part !== undefined && JSON.stringify(evidence.proof[part]) === JSON.stringify(otherEvidence.proof[part])) continue;
        const spliced = structuredClone(evidence);
        spliced.subject = structuredClone(otherEvidence.subject);
        if (part !== undefined) spliced.proof[part] = structuredClone(otherEvidence.proof[part]);
        expect((await ic.verify(spliced, trust)).state, `evidence claiming another packet${part ? ` with its proof/${part}` : ''}`).toBe(
          'rejected',
        );
      }
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

/**
 * Copies of `evidence`, each with one byte string of its proof altered in the middle (a hex
 * digit or a base64 character changed, so the decoded bytes differ), keyed by the JSON path.
 */
function tamperedProofs(evidence: Evidence): Array<[string, Evidence]> {
  const out: Array<[string, Evidence]> = [];
  const visit = (value: unknown, path: string[]) => {
    if (typeof value === 'string') {
      const altered = alter(value);
      if (altered === undefined) return;
      const copy = structuredClone(evidence);
      let at = copy.proof as Record<string, unknown>;
      for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
      at[path.at(-1)!] = altered;
      out.push([path.map((k) => `/${k}`).join(''), copy]);
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) visit(v, [...path, k]);
    }
  };
  visit(evidence.proof, []);
  return out.slice(0, 32);
}

function alter(s: string): string | undefined {
  const hex = /^(0x)?[0-9a-fA-F]{16,}$/.test(s);
  const base64 = !hex && s.length >= 16 && /^[A-Za-z0-9+/]+={0,2}$/.test(s);
  if (!hex && !base64) return undefined;
  const body = s.replace(/=+$/, '');
  const i = Math.floor(body.length / 2);
  const c = body[i]!;
  const next = hex ? (c.toLowerCase() === '0' ? '1' : '0') : c === 'A' ? 'B' : 'A';
  return s.slice(0, i) + next + s.slice(i + 1);
}
