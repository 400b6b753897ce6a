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

export function interchainOf(ctx: SuiteContext): Interchain {
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
      const { packet, receipt } = await emitPacket(ctx, ic, app);
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
      const { ic, app, nodes, evidence } = await attestedPacket(ctx);
      const trust = nodes.trust;
      const refused = async (variant: Evidence, roots: TrustRoots, what: string) => {
        const verdict = await ic.verify(variant, roots);
        expect(verdict.state, what).toBe('rejected');
        // a rejection says why: an operator reads it when a call is refused
        expect(verdict.state === 'rejected' && verdict.reason.trim().length > 0, `${what}: the rejection gives a reason`).toBe(true);
      };
      const tampered = structuredClone(evidence);
      tampered.subject.packetId = tampered.subject.packetId.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
      await refused(tampered, trust, 'evidence naming another packet');
      await refused(evidence, { ...trust, roots: {} }, 'evidence checked against empty roots');
      await refused(evidence, { ...trust, chain: 'another-chain' }, 'evidence checked against roots of another chain');
      // What the evidence claims beside its proof (its transaction, block and block hash) is
      // bound too: a verifier that proves a packet but passes on a wrong txId lets a relayer
      // name any transaction.
      for (const [what, variant] of tamperedClaims(evidence)) await refused(variant, trust, `evidence with ${what}`);
      // The proof itself, byte string by byte string (the attestations left as they were): every
      // one is bound to what it proves — receipt bytes a verifier does not compare would prove a
      // packet never sent.
      const variants = tamperedProofs(evidence);
      expect(variants.length, 'the proof carries byte strings to check').toBeGreaterThan(0);
      for (const [path, variant] of variants) await refused(variant, trust, `evidence with proof${path} altered`);
      // Parts of another packet's genuine evidence spliced in, claiming that packet: each part
      // must be bound to the rest (a receipt not compared with the proven one would pass here).
      const other = await emitPacket(ctx, ic, app);
      const otherEvidence = await ic.evidence(other.receipt.txId, { kind: 'packet', packetId: packetId(other.packet) });
      for (const part of [undefined, ...Object.keys(evidence.proof)]) {
        if (part !== undefined && JSON.stringify(evidence.proof[part]) === JSON.stringify(otherEvidence.proof[part])) continue;
        const spliced = structuredClone(evidence);
        spliced.subject = structuredClone(otherEvidence.subject);
        if (part !== undefined) spliced.proof[part] = structuredClone(otherEvidence.proof[part]);
        await refused(spliced, trust, `evidence claiming another packet${part ? ` with its proof/${part}` : ''}`);
        // the same, naming the other packet's transaction too: each part is bound to the proof
        // of inclusion, not only to the transaction id it arrived with
        if (part !== undefined && otherEvidence.txId !== evidence.txId) {
          await refused(
            {
              ...structuredClone(evidence),
              txId: otherEvidence.txId,
              proof: { ...structuredClone(evidence.proof), [part]: structuredClone(otherEvidence.proof[part]) },
            },
            trust,
            `evidence of this packet naming another transaction, with its proof/${part}`,
          );
          await refused(
            { ...spliced, txId: otherEvidence.txId },
            trust,
            `evidence claiming another packet and its txId, with its proof/${part}`,
          );
        }
      }
      if (evidence.blockHash !== undefined) {
        // an attested framework: below threshold, or attested by keys nobody pinned, proves nothing
        await refused({ ...evidence, attestations: evidence.attestations!.slice(0, 1) }, trust, 'evidence attested below the threshold');
        const strangers = await cityNodes(ctx, ic);
        await refused(await strangers.attest(evidence, app), trust, 'evidence attested by keys nobody pinned');
      }
    },
  },
  {
    id: 'IC-003',
    title:
      'every field of the proof is required and checked for its shape, and every pinned root counts; a malformed one is rejected with a reason',
    level: 'MUST',
    capability: 'interchain.verify',
    async run(ctx) {
      const { ic, nodes, evidence } = await attestedPacket(ctx);
      // A verifier that reads a missing field as its default (a status of success, an index of
      // 0) proves what nobody sent: removed, null, of another type, an index moved by one, a
      // list emptied or cut short — each is rejected, and says why.
      // Every pinned root counts: the same evidence against roots with one value altered (a
      // chain id, a key, an address, a threshold raised by one) proves nothing.
      for (const [what, roots] of alteredRoots(nodes.trust)) {
        const verdict = await ic.verify(evidence, roots);
        expect(verdict.state, `evidence checked against roots with ${what}`).toBe('rejected');
      }
      for (const [what, variant] of malformedProofs(evidence)) {
        const verdict = await ic.verify(variant, nodes.trust);
        expect(verdict.state, `evidence with proof${what}`).toBe('rejected');
        expect(
          verdict.state === 'rejected' && verdict.reason.trim().length > 0,
          `evidence with proof${what}: the rejection gives a reason`,
        ).toBe(true);
      }
    },
  },
]);

/** A packet emitted from a new app, its evidence attested by the suite's city nodes. */
export async function attestedPacket(ctx: SuiteContext) {
  const ic = interchainOf(ctx);
  const app = await ctx.newApp();
  const { packet, receipt } = await emitPacket(ctx, ic, app);
  const nodes = await cityNodes(ctx, ic);
  const evidence = await nodes.attest(await ic.evidence(receipt.txId, { kind: 'packet', packetId: packetId(packet) }), app);
  return { ic, app, nodes, evidence };
}

/**
 * Emits `packetInput` from `app`. An adapter that delivers (`setGrant` present) checks the source
 * app's outgoing grant at send (docs/interchain-delivery.md), so its admin grants the packet first.
 */
export async function emitPacket(ctx: SuiteContext, ic: Interchain, app: AppRef) {
  const input = packetInput(ctx);
  if (typeof ic.setGrant === 'function') {
    const grant = { direction: 'outgoing', peerChain: input.dstChain, peerApp: input.dstApp, ref: input.grantRef } as const;
    await ic.setGrant(app, { ...grant, methods: [input.method], expiresAt: 0, revoked: false }, ctx.admin.signer);
  }
  return ic.emit(app, input, ctx.member.signer);
}

export function packetInput(ctx: SuiteContext): PacketInput {
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
export function tamperedProofs(evidence: Evidence): Array<[string, Evidence]> {
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

/** Copies of `evidence` with one of its claims beside the proof changed. */
function tamperedClaims(evidence: Evidence): Array<[string, Evidence]> {
  const out: Array<[string, Evidence]> = [];
  const txId = alter(evidence.txId) ?? `${evidence.txId}0`;
  out.push(['another txId', { ...structuredClone(evidence), txId }]);
  out.push(['the next block number', { ...structuredClone(evidence), block: evidence.block + 1 }]);
  out.push(['the previous block number', { ...structuredClone(evidence), block: evidence.block - 1 }]);
  if (evidence.blockHash !== undefined) {
    out.push(['another blockHash', { ...structuredClone(evidence), blockHash: alter(evidence.blockHash) ?? `${evidence.blockHash}0` }]);
    out.push(['a blockHash of another type', { ...structuredClone(evidence), blockHash: 7 as unknown as string }]);
  }
  return out;
}

/**
 * Copies of `evidence` with one field of its proof malformed: removed, null, of another type;
 * numbers moved by one, lists emptied or cut short. (A list grown by a node is not among them:
 * a proof with a node to spare still proves what it proves, as in Ethereum's own verifiers.)
 */
function malformedProofs(evidence: Evidence): Array<[string, Evidence]> {
  const out: Array<[string, Evidence]> = [];
  const at = (copy: Evidence, path: string[]) => {
    let parent = copy.proof as Record<string, unknown>;
    for (const key of path.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
    return parent;
  };
  const variant = (path: string[], what: string, change: (parent: Record<string, unknown>, key: string) => void) => {
    const copy = structuredClone(evidence);
    change(at(copy, path), path.at(-1)!);
    out.push([`${path.map((k) => `/${k}`).join('')} ${what}`, copy]);
  };
  const visit = (value: unknown, path: string[]) => {
    if (path.length > 0) {
      if (!Array.isArray(at(evidence, path))) variant(path, 'removed', (p, k) => delete p[k]);
      variant(path, 'null', (p, k) => (p[k] = null));
      variant(path, 'of another type', (p, k) => (p[k] = typeof value === 'number' ? 'x' : 7));
      if (typeof value === 'number') variant(path, 'plus one', (p, k) => (p[k] = value + 1));
      if (Array.isArray(value) && value.length > 0) {
        variant(path, 'emptied', (p, k) => (p[k] = []));
        variant(path, 'cut short', (p, k) => (p[k] = value.slice(0, -1)));
      }
    }
    if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(v, [...path, k]);
  };
  visit(evidence.proof, []);
  return out.slice(0, 400);
}

/** Copies of `trust` with one value of its roots altered: strings as in tamperedProofs, numbers raised by one. */
function alteredRoots(trust: TrustRoots): Array<[string, TrustRoots]> {
  const out: Array<[string, TrustRoots]> = [];
  const visit = (value: unknown, path: string[]) => {
    let altered: unknown;
    if (typeof value === 'string') altered = alter(value);
    else if (typeof value === 'number') altered = value + 1;
    if (altered !== undefined) {
      const copy = structuredClone(trust);
      let at = copy.roots as Record<string, unknown>;
      for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
      at[path.at(-1)!] = altered;
      out.push([`/roots${path.map((k) => `/${k}`).join('')} altered`, copy]);
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) visit(v, [...path, k]);
    }
  };
  visit(trust.roots, []);
  return out.slice(0, 64);
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
