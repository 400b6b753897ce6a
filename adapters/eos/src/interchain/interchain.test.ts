import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attestBlock,
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
import { bytes, unique } from '@bsn/contract/testing';
import { publicKeyText } from '../antelope/index.js';
import { startNode, whyNoNode, type Actor, type EosNode } from '../__fixtures__/node.js';
import type { EosProof } from './proof.js';

const why = await whyNoNode();
if (why) console.warn(`skipped: ${why}`);

const input = (): PacketInput => ({
  dstChain: 'peer-chain',
  dstApp: 'target-app',
  method: 'ping',
  payload: Buffer.from('hello').toString('base64'),
  timeout: Date.now() + 3_600_000,
  grantRef: unique('grant'),
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
});
