// Delivery of packets (issue #15 §6, docs/interchain-delivery.md), framework-neutral: only the
// Interchain interface, the kit and the target's own chain reader. Every case runs a loopback —
// app A sends to app B on the adapter's own chain, which is then both source and target — so one
// adapter and one devnet suffice. On a loopback `packetState` reports the packet's furthest step:
// `sent`, then `delivered` (the target's record), then `acknowledged` or `timed-out` (the source's).
//
// The operator signer that pins attesters comes from the target (`DevnetProvider.operator`: on an
// EVM dev network its faucet key, which owns the interchain contract; on Fabric an org admin):
// `ctx.operator`. Each case pins three fresh secp256k1 attesters, 2 of which must sign.
import { expect } from 'vitest';
import { defineCases } from '../case.js';
import type { SuiteContext } from '../context.js';
import { expectBsnError } from '../expect-error.js';
import { tamperedProofs } from './interchain.js';
import {
  ackCommitment,
  attestBlock,
  attestInterchain,
  attesterPublicKey,
  encodePacketCall,
  generatePrivateKey,
  packetCommitment,
  packetId,
  publicKeyOf,
  toBase64,
  toHex,
  type Ack,
  type AppInfo,
  type AttestedKind,
  type DeliveryAttesters,
  type Evidence,
  type Interchain,
  type InterchainAttestation,
  type KeyAlgorithm,
  type Packet,
  type PacketCall,
  type PacketInput,
  type Signer,
  type TrustRoots,
} from '@bsn/contract';
import { bytes, text } from '@bsn/contract/testing';

type Delivering = Interchain &
  Required<
    Pick<
      Interchain,
      'configureDelivery' | 'setGrant' | 'deliver' | 'recordTimeout' | 'acknowledge' | 'closeTimedOut' | 'packetState' | 'trustRoots'
    >
  >;

const CALLABLE = ['kv.put', 'kv.get', 'kv.delete'];

function deliveringOf(ctx: SuiteContext): Delivering {
  const ic = ctx.adapter.interchain;
  if (!ic) throw new Error('the adapter claims interchain.deliver but has no interchain part');
  for (const m of [
    'configureDelivery',
    'setGrant',
    'deliver',
    'recordTimeout',
    'acknowledge',
    'closeTimedOut',
    'packetState',
    'trustRoots',
  ] as const)
    if (typeof ic[m] !== 'function') throw new Error(`the adapter claims interchain.deliver but its interchain part has no ${m}()`);
  return ic as Delivering;
}

/**
 * A loopback with delivery configured: apps A (source) and B (target) with mutual grants for the
 * preset methods, attesters pinned, and the suite acting as the city nodes who verify evidence
 * before they sign anything.
 */
export async function loopback(ctx: SuiteContext) {
  const ic = deliveringOf(ctx);
  if (!ctx.operator) throw new Error('the target offers no operator signer (DevnetProvider.operator): delivery cannot be configured on it');
  const chain = ctx.network.name;
  const attesterKeys = [0, 1, 2].map(() => generatePrivateKey('secp256k1'));
  await ic.configureDelivery({ publicKeys: attesterKeys.map(attesterPublicKey), threshold: 2 }, ctx.operator);
  const [a, b] = await Promise.all([ctx.newApp(), ctx.newApp()]);
  const ref = ctx.unique('grant');
  const grant = (app: AppInfo, direction: 'outgoing' | 'incoming', peer: AppInfo, methods = CALLABLE, over: { revoked?: boolean } = {}) =>
    ic.setGrant(
      app,
      { direction, peerChain: chain, peerApp: peer.appId, ref, methods, expiresAt: 0, revoked: false, ...over },
      ctx.admin.signer,
    );
  await grant(a, 'outgoing', b);
  await grant(b, 'incoming', a);
  const nodes = await cityNodes(ctx, ic);
  const relayer = ctx.outsider.signer;

  const input = (
    call: PacketCall | { method: string; payload: Uint8Array },
    to: AppInfo = b,
    timeout = Date.now() + 3_600_000,
  ): PacketInput => ({
    dstChain: chain,
    dstApp: to.appId,
    method: call.method,
    payload: toBase64('payload' in call ? call.payload : encodePacketCall(call)),
    timeout,
    grantRef: ref,
  });
  const sign = (kind: AttestedKind, commitment: string, keys = attesterKeys.slice(0, 2)): InterchainAttestation[] =>
    keys.map((k) => attestInterchain(kind, commitment, k));

  /** Emits from A and, as the city nodes do, verifies its evidence before signing the packet's attestations. */
  async function send(call: PacketCall | { method: string; payload: Uint8Array }, to: AppInfo = b, timeout?: number) {
    const { packet, receipt } = await ic.emit(a, input(call, to, timeout), ctx.member.signer);
    await nodes.proven(await ic.evidence(receipt.txId, { kind: 'packet', packetId: packetId(packet) }), a);
    return { packet, attestations: sign('packet', packetCommitment(packet)) };
  }

  return { ic, chain, a, b, ref, grant, nodes, relayer, attesterKeys, input, sign, send };
}

/**
 * The suite's city nodes (one key per algorithm, 2 of 3 attest blocks): roots from the adapter's
 * `trustRoots()`, each block checked on the suite's connection before it is attested.
 */
async function cityNodes(ctx: SuiteContext, ic: Delivering) {
  const algorithms: KeyAlgorithm[] = ['secp256k1', 'secp256r1', 'sm2'];
  const keys = algorithms.map((algorithm) => ({ algorithm, privateKey: generatePrivateKey(algorithm) }));
  const trust = await ic.trustRoots(
    keys.map((k) => ({ algorithm: k.algorithm, publicKey: toHex(publicKeyOf(k.algorithm, k.privateKey)) })),
    2,
  );
  const attest = async (e: Evidence, app: AppInfo): Promise<Evidence> => {
    const block = await ctx.adapter.gateway.block(e.block, app);
    if (e.blockHash !== undefined) expect(block.hash.toLowerCase().replace(/^0x/, '')).toBe(e.blockHash.toLowerCase().replace(/^0x/, ''));
    const attestations = keys
      .slice(0, 2)
      .map((k) => attestBlock({ framework: e.framework, chain: e.chain, number: e.block, hash: block.hash }, k));
    return { ...structuredClone(e), attestations };
  };
  return {
    trust,
    attest,
    /** Attests and verifies; fails the case unless the verifier answers `proven`. */
    async proven(e: Evidence, app: AppInfo) {
      const attested = await attest(e, app);
      const verdict = await ic.verify(attested, trust);
      expect(verdict.state, verdict.state === 'rejected' ? `${e.subject.kind} evidence: ${verdict.reason}` : '').toBe('proven');
      return { evidence: attested, verdict: verdict as Extract<typeof verdict, { state: 'proven' }> };
    },
  };
}

/**
 * What a refused delivery must leave behind: nothing. The packet is not delivered, the target's
 * key holds what it held, and — through the target's own chain reader, where it has one — no
 * transaction committed valid while the refused call ran.
 */
async function refusedLeavingNothing(
  ctx: SuiteContext,
  ic: Delivering,
  attempt: () => Promise<unknown>,
  code: 'UNAUTHORIZED' | 'CONFLICT' | 'INVALID_INPUT',
  what: string,
  check: { packet: Packet; app: AppInfo; key?: string },
) {
  const before = check.key ? await ctx.adapter.kv.get(check.app, check.key) : undefined;
  const stateBefore = (await ic.packetState(check.packet)).state;
  const head = ctx.chain ? await ctx.chain.head() : undefined;
  const error = await expectBsnError(attempt(), code, { what });
  if (ctx.chain && head !== undefined) {
    const now = await ctx.chain.head();
    for (let n = head + 1; n <= now; n++) {
      for (const txId of (await ctx.chain.block(n))?.txIds ?? []) {
        const tx = await ctx.chain.transaction(txId);
        expect(tx?.valid, `${what}: transaction ${txId} committed valid in block ${n} while the refused call ran`).not.toBe(true);
      }
    }
  }
  expect((await ic.packetState(check.packet)).state, `${what}: the packet's state`).toBe(stateBefore);
  if (check.key) {
    const after = await ctx.adapter.kv.get(check.app, check.key);
    expect(after && text(after.value), `${what}: the target's key`).toBe(before && text(before.value));
  }
  return error;
}

export const interchainDeliveryCases = defineCases([
  {
    id: 'IC-004',
    title: 'a packet is delivered once on attested evidence, its ack is proven and recorded on the source, each step read back',
    level: 'MUST',
    capability: 'interchain.deliver',
    async run(ctx) {
      const w = await loopback(ctx);
      const key = ctx.unique('key');
      const value = `delivered ${key}`;
      const { packet, attestations } = await w.send({ method: 'kv.put', key, value: bytes(value) });
      expect((await w.ic.packetState(packet)).state, 'before delivery').toBe('sent');
      const { receipt, ack } = await w.ic.deliver(packet, attestations, w.relayer);
      expect(ack).toEqual({ packetId: packetId(packet), commitment: packetCommitment(packet), status: 'OK', result: '' });
      expect(text((await ctx.adapter.kv.get(w.b, key))!.value), 'the value the packet wrote').toBe(value);
      if (ctx.chain) expect((await ctx.chain.transaction(receipt.txId))?.valid, 'the delivery transaction, read from the chain').toBe(true);
      expect(await w.ic.packetState(packet)).toMatchObject({ state: 'delivered', ack });

      // the ack's evidence: proven only with the ack the delivery wrote
      const { evidence, verdict } = await w.nodes.proven(
        await w.ic.evidence(receipt.txId, { kind: 'ack', packetId: packetId(packet) }),
        w.b,
      );
      expect(verdict).toMatchObject({ subject: { kind: 'ack', packetId: packetId(packet) }, ack });
      for (const [what, roots] of [
        ['empty roots', { ...w.nodes.trust, roots: {} }],
        ['roots of another chain', { ...w.nodes.trust, chain: 'another-chain' }],
      ] as Array<[string, TrustRoots]>) {
        expect((await w.ic.verify(evidence, roots)).state, `ack evidence against ${what}`).toBe('rejected');
      }
      expect((await w.ic.verify({ ...evidence, attestations: [] }, w.nodes.trust)).state, 'ack evidence unattested').toBe(
        evidence.blockHash === undefined ? 'proven' : 'rejected',
      );

      // a forged ack (another status or result) is refused on the source, and the real one recorded once
      const forged: Ack = { ...ack, status: 'NOT_FOUND' };
      await expectBsnError(w.ic.acknowledge(packet, forged, w.sign('ack', ackCommitment(ack)), w.relayer), 'UNAUTHORIZED', {
        what: 'an ack other than the one attested',
      });
      await w.ic.acknowledge(packet, ack, w.sign('ack', ackCommitment(ack)), w.relayer);
      expect(await w.ic.packetState(packet)).toMatchObject({ side: 'source', state: 'acknowledged', ack });
      await expectBsnError(w.ic.acknowledge(packet, ack, w.sign('ack', ackCommitment(ack)), w.relayer), 'CONFLICT', {
        what: 'a second acknowledge',
      });

      // kv.get answers with the value; a missing key is a NOT_FOUND ack, delivered all the same
      const get = await w.send({ method: 'kv.get', key });
      expect((await w.ic.deliver(get.packet, get.attestations, w.relayer)).ack).toMatchObject({
        status: 'OK',
        result: toBase64(bytes(value)),
      });
      const missing = await w.send({ method: 'kv.delete', key: ctx.unique('absent') });
      expect((await w.ic.deliver(missing.packet, missing.attestations, w.relayer)).ack.status).toBe('NOT_FOUND');
      expect((await w.ic.packetState(missing.packet)).state).toBe('delivered');
    },
  },
  {
    id: 'IC-005',
    title: 'a replayed packet is refused and executes nothing a second time',
    level: 'MUST',
    capability: 'interchain.deliver',
    async run(ctx) {
      const w = await loopback(ctx);
      const key = ctx.unique('key');
      const { packet, attestations } = await w.send({ method: 'kv.put', key, value: bytes('from the packet') });
      await w.ic.deliver(packet, attestations, w.relayer);
      // the key changes after delivery: a replay that executed again would write the packet's value back
      await ctx.adapter.kv.put({ app: w.b, key, value: bytes('written later'), requestId: ctx.unique('req') }, ctx.admin.signer);
      const error = await refusedLeavingNothing(
        ctx,
        w.ic,
        () => w.ic.deliver(packet, attestations, w.relayer),
        'CONFLICT',
        'a replayed packet',
        {
          packet,
          app: w.b,
          key,
        },
      );
      expect(error.message).toMatch(/already delivered/);
      expect(text((await ctx.adapter.kv.get(w.b, key))!.value)).toBe('written later');
      // and it cannot be closed as timed out either
      await expectBsnError(w.ic.recordTimeout(packet, attestations, w.relayer), 'CONFLICT', {
        what: 'a timeout record of a delivered packet',
      });
    },
  },
  {
    id: 'IC-006',
    title: 'a packet after its timeout is refused; its attested timeout record closes it on the source',
    level: 'MUST',
    capability: 'interchain.deliver',
    async run(ctx) {
      const w = await loopback(ctx);
      const key = ctx.unique('key');
      // The chain's clock, not this machine's: a write's receipt carries its time as the chain records
      // it (a dev chain stamping a block per transaction may run ahead of the wall clock).
      const chainTime = async () =>
        (
          await ctx.adapter.kv.put(
            { app: w.a, key: ctx.unique('tick'), value: bytes('tick'), requestId: ctx.unique('req') },
            ctx.admin.signer,
          )
        ).timestamp;
      const timeout = (await chainTime()) + 8_000;
      const { packet, attestations } = await w.send({ method: 'kv.put', key, value: bytes('too late') }, w.b, timeout);
      // wait for a block stamped after the timeout
      while ((await chainTime()) < timeout + 1_000) await new Promise((r) => setTimeout(r, 1_000));
      const error = await refusedLeavingNothing(
        ctx,
        w.ic,
        () => w.ic.deliver(packet, attestations, w.relayer),
        'CONFLICT',
        'a packet after its timeout',
        {
          packet,
          app: w.b,
          key,
        },
      );
      expect(error.message).toMatch(/timed out/);
      expect(await ctx.adapter.kv.get(w.b, key)).toBeNull();
      const recorded = await w.ic.recordTimeout(packet, attestations, w.relayer);
      await expectBsnError(w.ic.deliver(packet, attestations, w.relayer), 'CONFLICT', { what: 'delivery after the timeout record' });
      await w.nodes.proven(await w.ic.evidence(recorded.txId, { kind: 'timeout', packetId: packetId(packet) }), w.b);
      // a packet attestation does not close it: only one over the target's timeout record
      await expectBsnError(w.ic.closeTimedOut(packet, attestations, w.relayer), 'UNAUTHORIZED', { what: 'closing on packet attestations' });
      await w.ic.closeTimedOut(packet, w.sign('timeout', packetCommitment(packet)), w.relayer);
      expect(await w.ic.packetState(packet)).toMatchObject({ side: 'source', state: 'timed-out' });
      await expectBsnError(w.ic.closeTimedOut(packet, w.sign('timeout', packetCommitment(packet)), w.relayer), 'CONFLICT', {
        what: 'a second close',
      });
    },
  },
  {
    id: 'IC-007',
    title: 'without a mutual grant nothing is sent or executed: none on the target, none on the source, revoked',
    level: 'MUST',
    capability: 'interchain.deliver',
    async run(ctx) {
      const w = await loopback(ctx);
      const key = ctx.unique('key');
      const c = await ctx.newApp();
      // A may send to C, but C grants nothing
      await w.grant(w.a, 'outgoing', c);
      const toC = await w.send({ method: 'kv.put', key, value: bytes('ungranted') }, c);
      await refusedLeavingNothing(
        ctx,
        w.ic,
        () => w.ic.deliver(toC.packet, toC.attestations, w.relayer),
        'UNAUTHORIZED',
        'no incoming grant',
        {
          packet: toC.packet,
          app: c,
          key,
        },
      );
      // C grants A, but revoked
      await w.grant(c, 'incoming', w.a, CALLABLE, { revoked: true });
      await refusedLeavingNothing(
        ctx,
        w.ic,
        () => w.ic.deliver(toC.packet, toC.attestations, w.relayer),
        'UNAUTHORIZED',
        'a revoked incoming grant',
        {
          packet: toC.packet,
          app: c,
          key,
        },
      );
      // an incoming grant that lists other methods only
      await w.grant(c, 'incoming', w.a, ['kv.get']);
      await refusedLeavingNothing(
        ctx,
        w.ic,
        () => w.ic.deliver(toC.packet, toC.attestations, w.relayer),
        'UNAUTHORIZED',
        'a grant without the method',
        {
          packet: toC.packet,
          app: c,
          key,
        },
      );
      expect(await ctx.adapter.kv.get(c, key)).toBeNull();
      // B has no outgoing grant to A: B cannot send at all
      await expectBsnError(
        w.ic.emit(w.b, { ...w.input({ method: 'kv.put', key, value: bytes('x') }), dstApp: w.a.appId }, ctx.member.signer),
        'UNAUTHORIZED',
        { what: 'a packet without an outgoing grant' },
      );
      // a revoked outgoing grant stops new packets
      await w.grant(w.a, 'outgoing', c, CALLABLE, { revoked: true });
      await expectBsnError(w.ic.emit(w.a, w.input({ method: 'kv.put', key, value: bytes('x') }, c), ctx.member.signer), 'UNAUTHORIZED', {
        what: 'a packet on a revoked outgoing grant',
      });
    },
  },
  {
    id: 'IC-008',
    title:
      'forged attestations execute nothing: unpinned signers, an altered payload, below threshold, empty, one signer twice, another kind',
    level: 'MUST',
    capability: 'interchain.deliver',
    async run(ctx) {
      const w = await loopback(ctx);
      const key = ctx.unique('key');
      const { packet, attestations } = await w.send({ method: 'kv.put', key, value: bytes('attested') });
      const commitment = packetCommitment(packet);
      const strangers = [0, 1, 2].map(() => generatePrivateKey('secp256k1'));
      const altered: Packet = { ...packet, payload: toBase64(encodePacketCall({ method: 'kv.put', key, value: bytes('altered') })) };
      const forgeries: Array<[string, Packet, InterchainAttestation[]]> = [
        ['signed by attesters nobody pinned', packet, w.sign('packet', commitment, strangers)],
        ['the payload altered under genuine attestations', altered, attestations],
        ['below the threshold', packet, w.sign('packet', commitment, w.attesterKeys.slice(0, 1))],
        ['no attestations', packet, []],
        [
          'one attester listed twice',
          packet,
          [...w.sign('packet', commitment, w.attesterKeys.slice(0, 1)), ...w.sign('packet', commitment, w.attesterKeys.slice(0, 1))],
        ],
        ['attestations of an ack over the commitment', packet, w.sign('ack', commitment)],
      ];
      for (const [what, p, signed] of forgeries)
        await refusedLeavingNothing(ctx, w.ic, () => w.ic.deliver(p, signed, w.relayer), 'UNAUTHORIZED', what, { packet, app: w.b, key });
      expect(await ctx.adapter.kv.get(w.b, key)).toBeNull();
      // unsound attester configurations are refused, naming the field, and change nothing
      const pinned = { publicKeys: w.attesterKeys.map(attesterPublicKey), threshold: 2 };
      for (const [what, config] of [
        ['threshold 0', { ...pinned, threshold: 0 }],
        ['a threshold that is not a majority', { ...pinned, threshold: 1 }],
        ['a threshold above the attesters', { ...pinned, threshold: 4 }],
        ['no attesters', { publicKeys: [], threshold: 1 }],
        ['an attester pinned twice', { publicKeys: [pinned.publicKeys[0]!, pinned.publicKeys[0]!, pinned.publicKeys[1]!], threshold: 2 }],
      ] as Array<[string, DeliveryAttesters]>)
        await expectBsnError(w.ic.configureDelivery(config, ctx.operator!), 'INVALID_INPUT', { what: `configuring ${what}` });
      // the genuine packet still delivers under the configuration that was there
      expect((await w.ic.deliver(packet, attestations, w.relayer)).ack.status).toBe('OK');
      expect(text((await ctx.adapter.kv.get(w.b, key))!.value)).toBe('attested');
    },
  },
  {
    id: 'IC-009',
    title: 'a packet to a method packets may not call is refused before anything executes',
    level: 'MUST',
    capability: 'interchain.deliver',
    async run(ctx) {
      const w = await loopback(ctx);
      // the source may name any method in its grant; the target executes only the preset methods
      await w.grant(w.a, 'outgoing', w.b, [...CALLABLE, 'freeze', 'admin.setGrant']);
      await w.grant(w.b, 'incoming', w.a, [...CALLABLE, 'freeze', 'admin.setGrant']);
      for (const method of ['freeze', 'admin.setGrant']) {
        const { packet, attestations } = await w.send({ method, payload: bytes('') });
        const error = await refusedLeavingNothing(
          ctx,
          w.ic,
          () => w.ic.deliver(packet, attestations, w.relayer),
          'INVALID_INPUT',
          `a packet calling ${method}`,
          {
            packet,
            app: w.b,
          },
        );
        expect(error.message).toMatch(/unregistered method/);
      }
      // the target is not frozen: its members still write
      await ctx.adapter.kv.put(
        { app: w.b, key: ctx.unique('key'), value: bytes('still open'), requestId: ctx.unique('req') },
        ctx.member.signer,
      );
    },
  },
  {
    id: 'IC-010',
    title: "only an app's admin sets its grants and only the operator pins attesters",
    level: 'MUST',
    capability: 'interchain.deliver',
    async run(ctx) {
      const w = await loopback(ctx);
      const intruder = await ctx.newApp();
      // an outsider, and a member who is not the admin, cannot grant the intruder app on B
      for (const [who, signer] of [
        ['an outsider', ctx.outsider.signer],
        ['a member', ctx.member.signer],
      ] as Array<[string, Signer]>) {
        await expectBsnError(
          w.ic.setGrant(
            w.b,
            {
              direction: 'incoming',
              peerChain: w.chain,
              peerApp: intruder.appId,
              ref: w.ref,
              methods: CALLABLE,
              expiresAt: 0,
              revoked: false,
            },
            signer,
          ),
          'UNAUTHORIZED',
          { what: `${who} setting a grant` },
        );
      }
      await expectBsnError(
        w.ic.configureDelivery(
          { publicKeys: [0, 1, 2].map(() => attesterPublicKey(generatePrivateKey('secp256k1'))), threshold: 2 },
          ctx.outsider.signer,
        ),
        'UNAUTHORIZED',
        { what: 'an outsider pinning attesters' },
      );
      // the pinned attesters are still the operator's: a packet they attest delivers
      const key = ctx.unique('key');
      const { packet, attestations } = await w.send({ method: 'kv.put', key, value: bytes('operator pinned') });
      expect((await w.ic.deliver(packet, attestations, w.relayer)).ack.status).toBe('OK');
    },
  },
  {
    id: 'IC-011',
    title:
      'ack and timeout evidence proves only what its transaction recorded: altered proof bytes, another packet, another kind are rejected',
    level: 'MUST',
    capability: 'interchain.deliver',
    async run(ctx) {
      const w = await loopback(ctx);
      const { packet, attestations } = await w.send({ method: 'kv.put', key: ctx.unique('key'), value: bytes('proven once') });
      const { receipt } = await w.ic.deliver(packet, attestations, w.relayer);
      const { evidence: ack } = await w.nodes.proven(await w.ic.evidence(receipt.txId, { kind: 'ack', packetId: packetId(packet) }), w.b);
      // another packet of the same apps, whose id the ack evidence must not prove
      const other = await w.send({ method: 'kv.put', key: ctx.unique('key'), value: bytes('never') });
      const rejected = async (e: Evidence, what: string) => {
        const verdict = await w.ic.verify(e, w.nodes.trust);
        expect(verdict.state, what).toBe('rejected');
        expect(verdict.state === 'rejected' && verdict.reason.trim().length > 0, `${what}: the rejection gives a reason`).toBe(true);
      };
      const otherId = packetId(other.packet);
      await rejected({ ...structuredClone(ack), subject: { kind: 'ack', packetId: otherId } }, 'ack evidence claiming another packet');
      await rejected(
        { ...structuredClone(ack), subject: { kind: 'timeout', packetId: packetId(packet) } },
        'ack evidence claimed as a timeout record',
      );
      await rejected(
        { ...structuredClone(ack), subject: { kind: 'packet', packetId: packetId(packet) } },
        'ack evidence claimed as the packet sent',
      );
      const variants = tamperedProofs(ack);
      expect(variants.length, 'the proof carries byte strings to check').toBeGreaterThan(0);
      for (const [path, variant] of variants) await rejected(variant, `ack evidence with proof${path} altered`);
    },
  },
]);
