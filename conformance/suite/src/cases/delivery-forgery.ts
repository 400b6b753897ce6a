// Forged ack and timeout evidence (issue #18: a verifier that does not compare what the target
// recorded with what the evidence claims would prove an ack nobody wrote). Any framework: an
// ack's evidence carrying another ack's proof. Fabric: each single forgery of what the target's
// chaincode emitted and wrote, re-signed by keys the roots were made to pin (fabric-forger.ts).
import { expect } from 'vitest';
import {
  canonicalJson,
  packetCommitment,
  packetId,
  type Ack,
  type Evidence,
  type Interchain,
  type Packet,
  type TrustRoots,
} from '@bsn/contract';
import { bytes } from '@bsn/contract/testing';
import { defineCases } from '../case.js';
import type { SuiteContext } from '../context.js';
import type { TxEdit } from '../forgery/fabric-block.js';
import { event, fabricForger, flip, writes } from '../forgery/fabric-forger.js';
import { loopback } from './interchain-delivery.js';

export const deliveryForgeryCases = defineCases([
  {
    id: 'FRG-002',
    title:
      "forged ack and timeout evidence is rejected even when signed by keys the roots pin: another ack's proof, and for Fabric each single forgery of the target's event and receipt, re-signed",
    level: 'MUST',
    capability: 'interchain.deliver',
    async run(ctx) {
      const w = await loopback(ctx);
      const chainTime = async () =>
        (
          await ctx.adapter.kv.put(
            { app: w.a, key: ctx.unique('tick'), value: bytes('tick'), requestId: ctx.unique('req') },
            ctx.admin.signer,
          )
        ).timestamp;
      // a packet that will time out, sent first so its wait overlaps the deliveries
      const late = await w.send({ method: 'kv.put', key: ctx.unique('key'), value: bytes('too late') }, w.b, (await chainTime()) + 6_000);
      const delivered = async () => {
        const { packet, attestations } = await w.send({ method: 'kv.put', key: ctx.unique('key'), value: bytes('delivered') });
        const { receipt, ack } = await w.ic.deliver(packet, attestations, w.relayer);
        const { evidence } = await w.nodes.proven(await w.ic.evidence(receipt.txId, { kind: 'ack', packetId: packetId(packet) }), w.b);
        return { packet, ack, evidence };
      };
      const one = await delivered();
      const two = await delivered();
      const rejected = async (e: Evidence, trust: TrustRoots, what: string) => {
        const verdict = await w.ic.verify(e, trust);
        expect(verdict.state, what).toBe('rejected');
        expect(verdict.state === 'rejected' && verdict.reason.trim().length > 0, `${what}: the rejection gives a reason`).toBe(true);
      };
      await rejected(
        { ...structuredClone(one.evidence), proof: structuredClone(two.evidence.proof) },
        w.nodes.trust,
        "an ack's evidence carrying another ack's proof",
      );

      while ((await chainTime()) < late.packet.timeout + 1_000) await new Promise((r) => setTimeout(r, 1_000));
      const recorded = await w.ic.recordTimeout(late.packet, late.attestations, w.relayer);
      const { evidence: timeout } = await w.nodes.proven(
        await w.ic.evidence(recorded.txId, { kind: 'timeout', packetId: packetId(late.packet) }),
        w.b,
      );
      if (ctx.description.framework === 'fabric')
        await fabricDeliveryForgeries(ctx, w.ic, w.nodes.trust, one, two.packet, timeout, w.relayer);
    },
  },
]);

async function fabricDeliveryForgeries(
  ctx: SuiteContext,
  ic: Interchain,
  trust: TrustRoots,
  one: { packet: Packet; ack: Ack; evidence: Evidence },
  other: Packet,
  timeout: Evidence,
  relayer: SuiteContext['outsider']['signer'],
): Promise<void> {
  const { roots, forged } = await fabricForger(ctx, trust, relayer);
  const verdict = async (e: Evidence) => ic.verify(e, roots);
  const isReceipt = (x: { getKey(): string }) => x.getKey().startsWith('d/');
  const receipt = (f: (value: Uint8Array) => Uint8Array) =>
    writes('d/', (list) => list.map((x) => (isReceipt(x) && x.setValue(f(x.getValue_asU8())), x)));
  const json = (v: unknown) => Buffer.from(canonicalJson(v));
  const txIdOf = (e: Evidence) => e.txId;
  const otherId = packetId(other);

  for (const [kind, evidence] of [
    ['ack', one.evidence],
    ['timeout', timeout],
  ] as const) {
    const control = await verdict(await forged(evidence, {}));
    expect(control.state, `the re-signed, unchanged ${kind} block: ${control.state === 'rejected' ? control.reason : ''}`).toBe('proven');
  }

  // An ack written as the target writes it, for `ack` (the event's payload and the receipt agree).
  const ackAs =
    (ack: Ack, payload: Uint8Array = json(ack)): TxEdit['chaincodeAction'] =>
    (a) => {
      event((e) => e.setPayload(payload))(a);
      receipt(() => json({ ...ack, state: 'delivered', tx: txIdOf(one.evidence) }))(a);
    };
  const ackForgeries: Array<[string, TxEdit['chaincodeAction']]> = [
    ['emitting no event', (a) => a.setEvents(new Uint8Array())],
    ['with an event of another chaincode', event((e) => e.setChaincodeId(`${e.getChaincodeId()}x`))],
    ['with an event naming another transaction', event((e) => e.setTxId('ab'.repeat(32)))],
    ['with an event of another name', event((e) => e.setEventName(`${e.getEventName()}x`))],
    ['not writing the receipt', writes('d/', (list) => list.filter((x) => !isReceipt(x)))],
    ['whose receipt records another ack', receipt((v) => flip(v, Math.floor(v.length / 2)))],
    ['whose event carries the ack in a non-canonical form', ackAs(one.ack, Buffer.from(JSON.stringify(one.ack, null, 1)))],
    ['whose event and receipt carry the ack of another packet id', ackAs({ ...one.ack, packetId: otherId })],
    ['whose event and receipt carry an ack of another commitment', ackAs({ ...one.ack, commitment: packetCommitment(other) })],
  ];
  for (const [what, edit] of ackForgeries) {
    const v = await verdict(await forged(one.evidence, { tx: { chaincodeAction: edit } }));
    expect(v.state, `an ack block ${what}`).toBe('rejected');
    expect(v.state === 'rejected' && v.reason.trim().length > 0, `an ack block ${what}: the rejection gives a reason`).toBe(true);
  }
  const packetElsewhere = await forged(one.evidence, {}, (e, p) => {
    p.packet = { ...p.packet, dstChain: `${p.packet.dstChain}x` };
    e.subject = { kind: 'ack', packetId: packetId(p.packet as never) };
  });
  expect((await verdict(packetElsewhere)).state, 'an ack whose proof names a packet to another chain').toBe('rejected');

  const timeoutForgeries: Array<[string, TxEdit['chaincodeAction']]> = [
    ['whose event names another packet', event((e) => e.setPayload(Buffer.from(otherId)))],
    ['whose receipt is not the timeout record', receipt((v) => flip(v, Math.floor(v.length / 2)))],
    ['whose receipt records a delivery', receipt(() => json({ ...one.ack, state: 'delivered', tx: txIdOf(timeout) }))],
  ];
  for (const [what, edit] of timeoutForgeries) {
    const v = await verdict(await forged(timeout, { tx: { chaincodeAction: edit } }));
    expect(v.state, `a timeout block ${what}`).toBe('rejected');
    expect(v.state === 'rejected' && v.reason.trim().length > 0, `a timeout block ${what}: the rejection gives a reason`).toBe(true);
  }
}
