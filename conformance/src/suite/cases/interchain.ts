import { expect } from 'vitest';
import { defineCases } from '../case.js';
import type { SuiteContext } from '../context.js';
import type { Interchain } from '@bsn/core';

function interchainOf(ctx: SuiteContext): Interchain {
  const ic = ctx.adapter.interchain;
  if (!ic) throw new Error('the adapter claims interchain capabilities but has no interchain part');
  return ic;
}

export const interchainCases = defineCases([
  {
    id: 'IC-001',
    title: 'an emitted packet has evidence that this framework\'s verifier proves',
    level: 'MUST',
    capability: 'interchain.evidence',
    async run(ctx) {
      const ic = interchainOf(ctx);
      const app = await ctx.newApp();
      const { packet, receipt } = await ic.emit(app, {
        dstChain: 'conformance-peer', dstApp: 'target-app', method: 'ping',
        payload: Buffer.from('hello').toString('base64'), timeout: Date.now() + 3_600_000, grantRef: ctx.unique('grant'),
      }, ctx.member.signer);
      expect(packet.srcApp).toBe(app.appId);
      expect(packet.seq).toBeGreaterThanOrEqual(1);
      const evidence = await ic.evidence(receipt.txId, { kind: 'packet', packetId: packetIdOf(packet) });
      const trust = await trustFor(ctx);
      const verdict = await ic.verify(evidence, trust);
      expect(verdict.state, verdict.state === 'rejected' ? verdict.reason : '').toBe('proven');
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
      const { packet, receipt } = await ic.emit(app, {
        dstChain: 'conformance-peer', dstApp: 'target-app', method: 'ping',
        payload: Buffer.from('hello').toString('base64'), timeout: Date.now() + 3_600_000, grantRef: ctx.unique('grant'),
      }, ctx.member.signer);
      const evidence = await ic.evidence(receipt.txId, { kind: 'packet', packetId: packetIdOf(packet) });
      const trust = await trustFor(ctx);
      const tampered = structuredClone(evidence);
      tampered.subject.packetId = tampered.subject.packetId.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
      expect((await ic.verify(tampered, trust)).state).toBe('rejected');
      expect((await ic.verify(evidence, { ...trust, roots: {} })).state).toBe('rejected');
    },
  },
]);

// Interchain packet ids and trust roots come with the interchain issue; until then an adapter
// claiming these capabilities supplies them through its own exports (see docs/adapter-contract.md).
function packetIdOf(packet: { srcChain: string; srcApp: string; dstChain: string; dstApp: string; seq: number }): string {
  return `${packet.srcChain}/${packet.srcApp}/${packet.dstChain}/${packet.dstApp}/${packet.seq}`;
}

async function trustFor(ctx: SuiteContext) {
  return { framework: ctx.description.framework, chain: String(ctx.network?.name ?? ''), roots: {} as Record<string, unknown> };
}
