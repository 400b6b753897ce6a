import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attestBlock,
  ackCommitment,
  attestInterchain,
  attesterPublicKey,
  encodePacketCall,
  packetCommitment,
  toBase64,
  generatePrivateKey,
  isBsnError,
  packetId,
  publicKeyOf,
  toHex,
  type Evidence,
  type Interchain,
  type PacketInput,
  type TrustRoots,
} from '@bsn/contract';
import { bytes, text, unique } from '@bsn/contract/testing';
import { AntelopeRpc, publicKeyText } from '../antelope/index.js';
import { resolveConfig } from '../config.js';
import { eosOperator } from '../devnets/operator.js';
import { NodeApi } from '../node-api.js';
import { presetAbi } from '../preset-abi.js';
import { Transactions } from '../transactions.js';
import { accountNameOf } from '../accounts.js';
import { packetArgs } from './delivery.js';
import { startNode, whyNoNode, type Actor, type EosNode } from '../__fixtures__/node.js';
import type { EosProof } from './proof.js';

const why = await whyNoNode();
if (why) console.warn(`skipped: ${why}`);

const grantRef = unique('grant');
const input = (): PacketInput => ({
  dstChain: 'peer-chain',
  dstApp: 'target-app',
  method: 'ping',
  // Distinct each time: two emits of equal data by one sender would be one transaction.
  payload: Buffer.from(unique('hello')).toString('base64'),
  timeout: Date.now() + 3_600_000,
  grantRef,
});

describe.skipIf(why)('interchain on a real Leap node: evidence against pinned producer keys', () => {
  let node: EosNode;
  let ic: Interchain;
  let member: Actor;
  let outsider: Actor;
  let appId: string;
  let evidence: Evidence;
  let trust: TrustRoots;
  const attester = { algorithm: 'secp256k1' as const, privateKey: generatePrivateKey('secp256k1') };
  const attesters = [{ algorithm: attester.algorithm, publicKey: toHex(publicKeyOf(attester.algorithm, attester.privateKey)) }];

  beforeAll(async () => {
    node = await startNode();
    ic = node.adapter.interchain!;
    const admin = await node.actor();
    [member, outsider] = [await node.actor(), await node.actor()];
    appId = (await node.app(admin, [member])).appId;
    // The contract sends only on the source app's outgoing grant (docs/interchain-delivery.md).
    await ic.setGrant!(
      { appId },
      {
        direction: 'outgoing',
        peerChain: 'peer-chain',
        peerApp: 'target-app',
        ref: grantRef,
        methods: ['ping'],
        expiresAt: 0,
        revoked: false,
      },
      admin.signer,
    );
    const { packet, receipt } = await ic.emit({ appId }, input(), member.signer);
    evidence = await ic.evidence(receipt.txId, { kind: 'packet', packetId: packetId(packet) });
    trust = await ic.trustRoots!(attesters, 1);
  });
  afterAll(() => node?.stop());

  const attested = (e: Evidence) => ({
    ...structuredClone(e),
    attestations: [attestBlock({ framework: 'eos', chain: e.chain, number: e.block, hash: e.blockHash! }, attester)],
  });
  const proofOf = (e: Evidence) => e.proof as unknown as EosProof;
  const verdict = async (e: Evidence, roots: TrustRoots = trust) => {
    const v = await ic.verify(e, roots);
    return v.state === 'proven' ? 'proven' : v.reason;
  };

  it('proves an emitted packet, also after travelling as JSON', async () => {
    expect(await verdict(attested(evidence))).toBe('proven');
    expect(await verdict(JSON.parse(JSON.stringify(attested(evidence))))).toBe('proven');
    const v = await ic.verify(attested(evidence), trust);
    expect(v.state === 'proven' && v.packet?.srcApp).toBe(appId);
  });

  it('sequences packets per destination, refusing writers who are not members', async () => {
    const [a, b] = await Promise.all([ic.emit({ appId }, input(), member.signer), ic.emit({ appId }, input(), member.signer)]);
    expect([a.packet.seq, b.packet.seq].sort()).toEqual([2, 3]);
    const refused = await ic.emit({ appId }, input(), outsider.signer).catch((e: unknown) => e);
    expect(isBsnError(refused, 'UNAUTHORIZED'), String(refused)).toBe(true);
    const bad = await ic.emit({ appId }, { ...input(), dstChain: '' }, member.signer).catch((e: unknown) => e);
    expect(isBsnError(bad, 'INVALID_INPUT') && bad.field).toBe('/packet/dstChain');
  });

  it('has no evidence for a transaction that sent no such packet, or for none at all', async () => {
    const put = await node.adapter.kv.put({ app: { appId }, key: 'k', value: bytes('v'), requestId: unique('req') }, member.signer);
    const notAPacket = await ic.evidence(put.txId, evidence.subject).catch((e: unknown) => e);
    expect(isBsnError(notAPacket, 'INVALID_INPUT') && notAPacket.field).toBe('/subject/packetId');
    const unknown = await ic.evidence('ff'.repeat(32), evidence.subject).catch((e: unknown) => e);
    expect(isBsnError(unknown, 'NOT_FOUND'), String(unknown)).toBe(true);
  });

  it('rejects evidence checked against a key the producer does not hold, an empty schedule or another contract', async () => {
    const roots = trust.roots as Record<string, unknown> & {
      schedule: { version: number; producers: Array<{ name: string; key: string }> };
    };
    const otherKey = publicKeyText('secp256k1', publicKeyOf('secp256k1', generatePrivateKey('secp256k1')));
    const swapped = {
      ...roots,
      schedule: { ...roots.schedule, producers: roots.schedule.producers.map((p) => ({ ...p, key: otherKey })) },
    };
    expect(await verdict(attested(evidence), { ...trust, roots: swapped })).toMatch(/not signed by the pinned key/);
    expect(await verdict(attested(evidence), { ...trust, roots: { ...roots, schedule: { version: 0, producers: [] } } })).toMatch(
      /no producers/,
    );
    expect(await verdict(attested(evidence), { ...trust, roots: { ...roots, contract: 'someoneelse' } })).toMatch(
      /emit action of someoneelse/,
    );
  });

  it('needs more than two thirds of the pinned schedule to have built on the block', async () => {
    const roots = trust.roots as Record<string, unknown> & {
      schedule: { version: number; producers: Array<{ name: string; key: string }> };
    };
    const extra = ['produceraaaa', 'producerbbbb'].map((name) => ({
      name,
      key: publicKeyText('secp256k1', publicKeyOf('secp256k1', generatePrivateKey('secp256k1'))),
    }));
    const bigger = { ...roots, schedule: { ...roots.schedule, producers: [...roots.schedule.producers, ...extra] } };
    expect(await verdict(attested(evidence), { ...trust, roots: bigger })).toMatch(/only 1 of the 3 producers/);
    const e = attested(evidence);
    proofOf(e).descendants = [];
    expect(await verdict(e)).toMatch(/no blocks built on/);
  });

  it('rejects every tampered part: header, block root, receipts, indexes, subject, block number', async () => {
    const tamper = async (change: (e: Evidence, proof: EosProof) => void) => {
      const e = attested(evidence);
      change(e, proofOf(e));
      return verdict(e);
    };
    const flip = (hex: string) => hex.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    expect(await tamper((_, p) => (p.header.action_mroot = flip(p.header.action_mroot)))).toMatch(/blockHash is not the id|not signed/);
    expect(
      await tamper((e, p) => {
        p.header.action_mroot = flip(p.header.action_mroot);
        e.blockHash = undefined as never;
      }),
    ).toMatch(/blockHash/);
    expect(await tamper((_, p) => (p.blockRoot.activeNodes[0] = flip(p.blockRoot.activeNodes[0]!)))).toMatch(
      /not signed by the pinned key/,
    );
    expect(await tamper((_, p) => (p.blockRoot.nodeCount += 1))).toMatch(/block-root merkle covers/);
    expect(await tamper((_, p) => (p.scheduleHash = flip(p.scheduleHash)))).toMatch(/not signed by the pinned key/);
    expect(await tamper((_, p) => (p.receipts[p.txIndex]!.cpu_usage_us += 1))).toMatch(/transaction_mroot/);
    expect(await tamper((_, p) => (p.txIndex = p.receipts.length))).toMatch(/txIndex/);
    expect(await tamper((_, p) => (p.actionIndex = 5))).toMatch(/actionIndex/);
    expect(await tamper((_, p) => (p.descendants[0]!.previous = flip(p.descendants[0]!.previous)))).toMatch(/not built on/);
    expect(await tamper((e) => (e.subject.packetId = flip(e.subject.packetId)))).toMatch(/not the subject/);
    expect(await tamper((e) => (e.block += 1))).toMatch(/proof header is block/);
    expect(await tamper((e) => (e.txId = flip(e.txId)))).toMatch(/not txId/);
    expect(await tamper((e) => (e.chain = 'another-chain'))).toMatch(/another-chain/);
  });

  it('with attesters pinned, counts only their attestations over the block it rebuilt', async () => {
    expect(await verdict(evidence)).toMatch(/attestation/);
    const stranger = { algorithm: 'secp256k1' as const, privateKey: generatePrivateKey('secp256k1') };
    const e = structuredClone(evidence);
    e.attestations = [attestBlock({ framework: 'eos', chain: e.chain, number: e.block, hash: e.blockHash! }, stranger)];
    expect(await verdict(e)).not.toBe('proven');
    const { attesters: _, threshold: __, ...withoutAttesters } = trust.roots as Record<string, unknown>;
    expect(await verdict(evidence, { ...trust, roots: withoutAttesters }), 'producer keys alone prove it').toBe('proven');
  });

  describe('delivery, on the same node: what the contract itself refuses', () => {
    let ic: Required<Interchain>;
    let admin: Actor;
    let relayer: Actor;
    let a: string;
    let b: string;
    const keys = [0, 1, 2].map(() => generatePrivateKey('secp256k1'));
    const ref = unique('grant');
    const sign = (commitment: string, signers = keys.slice(0, 2)) => signers.map((k) => attestInterchain('packet', commitment, k));

    beforeAll(async () => {
      ic = node.adapter.interchain as Required<Interchain>;
      [admin, relayer] = [await node.actor(), await node.actor()];
      [a, b] = [(await node.app(admin, [])).appId, (await node.app(admin, [])).appId];
      await ic.configureDelivery({ publicKeys: keys.map(attesterPublicKey), threshold: 2 }, eosOperator(node.devnet.network));
      const chain = node.devnet.network.name;
      const grant = (appId: string, direction: 'outgoing' | 'incoming', peerApp: string) =>
        ic.setGrant(
          { appId },
          { direction, peerChain: chain, peerApp, ref, methods: ['kv.put'], expiresAt: 0, revoked: false },
          admin.signer,
        );
      await grant(a, 'outgoing', b);
      await grant(b, 'incoming', a);
    });

    const send = (key: string, value: string) =>
      ic.emit(
        { appId: a },
        {
          dstChain: node.devnet.network.name,
          dstApp: b,
          method: 'kv.put',
          payload: toBase64(encodePacketCall({ method: 'kv.put', key, value: bytes(value) })),
          timeout: Date.now() + 3_600_000,
          grantRef: ref,
        },
        admin.signer,
      );

    /** The target's receipt row of a packet, read from the contract's table. */
    const receiptRow = async (id: string) => {
      const api = new NodeApi(new AntelopeRpc(String(node.devnet.network.url), 10_000));
      const rows = await api.tableRows<{ packetid: string }>({
        code: node.devnet.network.contract,
        scope: node.devnet.network.contract,
        table: 'receipts',
        limit: 1000,
      });
      return rows.rows.find((r) => r.packetid === id);
    };

    it('refuses a deliverer who states another ack than the call gets, writing nothing; then delivers the packet once', async () => {
      const key = unique('key');
      const { packet } = await send(key, 'from the packet');
      const txs = new Transactions(
        new NodeApi(new AntelopeRpc(String(node.devnet.network.url), 10_000)),
        resolveConfig(node.devnet.network),
      );
      const actor = accountNameOf(relayer.signer.algorithm, relayer.signer.publicKey);
      const lying = {
        account: node.devnet.network.contract,
        name: 'deliver',
        authorization: [{ actor, permission: 'active' }],
        data: presetAbi().encodeAction('deliver', {
          ...packetArgs(packet),
          sigs: sign(packetCommitment(packet))
            .map((s) => s.signature)
            .join(''),
          ackstatus: 'NOT_FOUND',
          ackresult: '',
        }),
      };
      const refused = await txs.submit([lying], relayer.signer, { what: 'a lying delivery' }).catch((e: unknown) => e);
      expect(isBsnError(refused) && String([refused.message, ...((refused.cause as { details?: string[] })?.details ?? [])])).toMatch(
        /bsn:ack: the call answers OK/,
      );
      expect(await node.adapter.kv.get({ appId: b }, key), 'the target key, read from the contract table').toBeNull();
      expect(await receiptRow(packetId(packet)), 'no receipt row').toBeUndefined();
      const { ack } = await ic.deliver(packet, sign(packetCommitment(packet)), relayer.signer);
      expect(ack.status).toBe('OK');
      expect(text((await node.adapter.kv.get({ appId: b }, key))!.value)).toBe('from the packet');
      expect(await receiptRow(packetId(packet))).toBeDefined();
    });

    it('counts a signature that recovers to no key as nothing, without failing the count', async () => {
      const { packet } = await send(unique('key'), 'v');
      const commitment = packetCommitment(packet);
      const garbage = { kind: 'packet' as const, commitment, signature: '00'.repeat(64) + '1b' };
      const below = await ic.deliver(packet, [garbage, ...sign(commitment, keys.slice(0, 1))], relayer.signer).catch((e: unknown) => e);
      expect(isBsnError(below, 'UNAUTHORIZED') && below.message).toMatch(/attestations below threshold: 1 of the 2/);
      expect(await receiptRow(packetId(packet))).toBeUndefined();
      expect((await ic.deliver(packet, [garbage, ...sign(commitment)], relayer.signer)).ack.status).toBe('OK');
    });

    it('streams packet.sent and the packet.acknowledged callback to the source app, packet.received to the target', async () => {
      const { packet, receipt: sent } = await send(unique('key'), 'evented');
      expect(sent.events.map((e) => e.name)).toContain('packet.sent');
      const { receipt, ack } = await ic.deliver(packet, sign(packetCommitment(packet)), relayer.signer);
      const acked = await ic.acknowledge(
        packet,
        ack,
        [0, 1].map((i) => attestInterchain('ack', ackCommitment(ack), keys[i]!)),
        relayer.signer,
      );
      const find = async (appId: string, name: string, txId: string) => {
        const signal = AbortSignal.timeout(20_000);
        for await (const e of node.adapter.gateway.events({ app: { appId }, name, signal })) if (e.txId === txId) return e;
        return undefined;
      };
      const received = await find(b, 'packet.received', receipt.txId);
      expect(JSON.parse(text(received!.payload))).toEqual(ack);
      expect((await find(a, 'packet.sent', sent.txId))?.app).toBe(a);
      const callback = await find(a, 'packet.acknowledged', acked.txId);
      expect(JSON.parse(text(callback!.payload))).toEqual(ack);
      expect(acked.events.map((e) => e.name)).toEqual(['packet.acknowledged']);
    });
  });
});
