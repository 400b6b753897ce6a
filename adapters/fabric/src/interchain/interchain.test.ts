// Interchain on a real two-org Fabric network: packets sent through the preset chaincode, the
// committed block as evidence, and the verifier refusing every tampered or mis-rooted variant
// with its reason.
import { beforeAll, describe, expect, test } from 'vitest';
import { common, msp, peer } from '@hyperledger/fabric-protos';
import {
  attestBlock,
  generatePrivateKey,
  packetId,
  publicKeyOf,
  toHex,
  type AppInfo,
  type Attester,
  type Evidence,
  type Interchain,
  type KeyAlgorithm,
  type Packet,
  type PacketInput,
  type TrustRoots,
  type Verification,
} from '@bsn/contract';
import { unique } from '@bsn/contract/testing';
import { failure, newApp, useFabricNetwork } from '../__fixtures__/network.js';
import { blockHeaderHash } from '../blocks.js';
import { endorsementBy, flipped, forge, highS, mint, rogueCa, subjectOf, type Minted } from './__fixtures__/forge.js';
import type { FabricProof } from './proof.js';
import type { FabricRoots } from './trust.js';

let app: AppInfo;
let trust: TrustRoots;
let packet: Packet;
let evidence: Evidence;
/** An orderer identity issued by the real orderer CA: what a forger re-signs blocks with, to reach the checks behind it. */
let orderer: Minted;

type CityNode = { key: { algorithm: KeyAlgorithm; privateKey: Uint8Array }; pinned: Attester };
function cityNode(algorithm: KeyAlgorithm): CityNode {
  const privateKey = generatePrivateKey(algorithm);
  return { key: { algorithm, privateKey }, pinned: { algorithm, publicKey: toHex(publicKeyOf(algorithm, privateKey)) } };
}
const nodes = [cityNode('secp256k1'), cityNode('secp256r1'), cityNode('sm2')];

const input = (over: Partial<PacketInput> = {}): PacketInput => ({
  dstChain: 'peer-chain',
  dstApp: 'target-app',
  method: 'ping',
  payload: Buffer.from('hello').toString('base64'),
  timeout: Date.now() + 3_600_000,
  grantRef: unique('grant'),
  ...over,
});

const fabric = useFabricNetwork({ org2: true, actors: ['admin', 'member', 'outsider'] });

beforeAll(async () => {
  if (fabric.skipped) return;
  app = await newApp(fabric.org1, fabric.actors.admin, [fabric.actors.member.account], 'ic');
  trust = await fabric.org1.interchain.trustRoots();
  const sent = await fabric.org1.interchain.emit(app, input(), fabric.actors.member.signer);
  packet = sent.packet;
  evidence = await fabric.org1.interchain.evidence(sent.receipt.txId, { kind: 'packet', packetId: packetId(packet) });
  orderer = await mint(fabric.devnet.network.orderer.mspId, fabric.devnet.network.orderer.ca, 'orderer');
});

const reasonOf = (v: Verification) => (v.state === 'rejected' ? v.reason : `proven ${JSON.stringify(v.subject)}`);
const proofOf = (e: Evidence) => e.proof as unknown as FabricProof;
const rootsOf = (t: TrustRoots) => t.roots as unknown as FabricRoots;
const withProof = (e: Evidence, over: Partial<FabricProof>): Evidence => ({
  ...structuredClone(e),
  proof: { ...proofOf(e), ...over } as unknown as Record<string, unknown>,
});
const withRoots = (over: Partial<FabricRoots>, t: TrustRoots = trust): TrustRoots => ({
  ...t,
  roots: { ...structuredClone(rootsOf(t)), ...over } as unknown as Record<string, unknown>,
});
const verify = (e: Evidence, t: TrustRoots = trust) => fabric.org1.interchain.verify(e, t);

async function expectRejected(e: Evidence, reason: RegExp, t: TrustRoots = trust): Promise<void> {
  const v = await verify(e, t);
  expect(v.state, reasonOf(v)).toBe('rejected');
  expect(reasonOf(v)).toMatch(reason);
}

/** The block of the evidence, re-encoded with `edit` (see forge.ts). */
const forged = async (e: Evidence, edit: Parameters<typeof forge>[2]): Promise<Evidence> => {
  const block = await forge(proofOf(e).block, proofOf(e).txIndex, edit);
  const h = common.Block.deserializeBinary(Buffer.from(block, 'base64')).getHeader()!;
  // The forger names the block by its new header hash, so the checks behind that one are reached.
  return { ...withProof(e, { block }), blockHash: blockHeaderHash(BigInt(h.getNumber()), h.getPreviousHash_asU8(), h.getDataHash_asU8()) };
};

/** What a city node does: check the block on its own connection, then sign it. */
async function attested(e: Evidence, by: CityNode[] = nodes.slice(0, 2)): Promise<Evidence> {
  const block = await fabric.org1.gateway.block(e.block);
  expect(block.hash).toBe(e.blockHash);
  return {
    ...structuredClone(e),
    attestations: by.map((n) => attestBlock({ framework: 'fabric', chain: e.chain, number: e.block, hash: block.hash }, n.key)),
  };
}

describe('sending packets', () => {
  test('emit assigns seq per (srcApp, dstChain, dstApp) in world state and returns the committed receipt', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    expect(packet).toMatchObject({
      v: 1,
      srcChain: fabric.devnet.network.name,
      srcApp: app.appId,
      dstChain: 'peer-chain',
      dstApp: 'target-app',
      seq: 1,
    });
    const second = await fabric.org1.interchain.emit(app, input(), fabric.actors.admin.signer);
    expect(second.packet.seq).toBe(2);
    expect((await fabric.org1.interchain.emit(app, input({ dstApp: 'other-app' }), fabric.actors.member.signer)).packet.seq).toBe(1);
    expect((await fabric.org1.interchain.emit(app, input({ dstChain: 'third-chain' }), fabric.actors.member.signer)).packet.seq).toBe(1);
    const tx = await fabric.org1.gateway.transaction(second.receipt.txId);
    expect(tx).toMatchObject({ valid: true, validationCode: 'VALID', app: app.appId, method: 'sendPacket', block: second.receipt.block });
    expect(second.receipt.events).toEqual([expect.objectContaining({ app: app.appId, name: 'packet.sent', txId: second.receipt.txId })]);
    expect(JSON.parse(Buffer.from(second.receipt.events[0]!.payload).toString('utf8'))).toEqual(second.packet);
    expect(second.receipt.requestId).toBe(`packet:${packetId(second.packet)}`);
  });

  test('16 sends at once to one target get distinct, gapless seqs, none refused (one at a time per seq counter)', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const target = input({ dstApp: unique('race') });
    const sent = await Promise.all(
      Array.from({ length: 16 }, () => fabric.org1.interchain.emit(app, { ...target, grantRef: unique('g') }, fabric.actors.member.signer)),
    );
    expect(sent.map((s) => s.packet.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
  });

  test('only members of an active app may send; bad input is refused first', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    expect(await failure(fabric.org1.interchain.emit(app, input(), fabric.actors.outsider.signer))).toMatchObject({
      code: 'UNAUTHORIZED',
      stage: 'endorse',
    });
    expect(await failure(fabric.org1.interchain.emit({ appId: unique('nope') }, input(), fabric.actors.member.signer))).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await failure(fabric.org1.interchain.emit(app, input({ dstChain: 'Bad Chain' }), fabric.actors.member.signer))).toMatchObject({
      code: 'INVALID_INPUT',
      field: '/packet/dstChain',
    });
    expect(
      await failure(fabric.org1.interchain.emit(app, input({ timeout: Date.now() - 1000 }), fabric.actors.member.signer)),
    ).toMatchObject({ code: 'INVALID_INPUT', stage: 'endorse' });
    const frozen = await newApp(fabric.org1, fabric.actors.admin, [fabric.actors.member.account], 'ic-frozen');
    await fabric.org1.lifecycle.freeze(frozen, fabric.actors.admin.signer);
    expect(await failure(fabric.org1.interchain.emit(frozen, input(), fabric.actors.member.signer))).toMatchObject({
      code: 'UNAUTHORIZED',
      stage: 'endorse',
    });
    // interchain.deliver is claimed, and the part offers it (delivery.test.ts runs it)
    expect(fabric.org1.describe().capabilities).toContain('interchain.deliver');
    expect(typeof (fabric.org1.interchain as Interchain).deliver).toBe('function');
  });
});

describe('evidence and its verifier', () => {
  test("the committed block proves the packet; also as JSON, as Org2's peer holds it, and with city-node attestations", async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    expect(evidence).toMatchObject({
      v: 1,
      framework: 'fabric',
      chain: fabric.devnet.network.name,
      subject: { kind: 'packet', packetId: packetId(packet) },
    });
    expect(evidence.blockHash).toBe((await fabric.org1.gateway.block(evidence.block)).hash);
    const v = await verify(evidence);
    expect(v.state, reasonOf(v)).toBe('proven');
    expect(v).toEqual({ state: 'proven', subject: { kind: 'packet', packetId: packetId(packet) }, packet });
    expect((await verify(JSON.parse(JSON.stringify(evidence)) as Evidence, JSON.parse(JSON.stringify(trust)) as TrustRoots)).state).toBe(
      'proven',
    );
    // The roots come from the network config: Org1's peer, Org2's, ours — same roots, same verdict.
    expect(rootsOf(trust)).toMatchObject({
      channel: fabric.devnet.network.channel,
      chaincode: fabric.devnet.network.chaincode,
      orgs: fabric.devnet.network.organizations.map((o) => ({ mspId: o.mspId, caCerts: [o.ca.certificate] })),
      orderer: { mspId: fabric.devnet.network.orderer.mspId, caCerts: [fabric.devnet.network.orderer.ca.certificate] },
      policy: { kind: 'all-of', mspIds: ['Org1MSP', 'Org2MSP'], role: 'peer' },
    });
    expect(await fabric.org2.interchain.trustRoots()).toEqual(trust);
    const fromOrg2 = await fabric.org2.interchain.evidence(evidence.txId, evidence.subject);
    expect(fromOrg2.blockHash).toBe(evidence.blockHash);
    expect(reasonOf(await verify(fromOrg2))).toMatch(/^proven/);
    const withAttesters = await fabric.org1.interchain.trustRoots(
      nodes.map((n) => n.pinned),
      2,
    );
    expect(reasonOf(await verify(await attested(evidence), withAttesters))).toMatch(/^proven/);
    // Rebuilt blocks that change nothing still verify: the forging tools below only change what each case says.
    expect(reasonOf(await verify(await forged(evidence, { creator: fabric.actors.member.signer, rehash: true, orderer })))).toMatch(
      /^proven/,
    );
  });

  test('evidence is only made for a committed packet transaction', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    expect(await failure(fabric.org1.interchain.evidence('e'.repeat(64), evidence.subject))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await failure(fabric.org1.interchain.evidence('0xabc', evidence.subject))).toMatchObject({ code: 'INVALID_INPUT' });
    // A packet's transaction is no delivery: there is no ack (or timeout record) in it to prove.
    expect(
      await failure(fabric.org1.interchain.evidence(evidence.txId, { kind: 'ack', packetId: evidence.subject.packetId })),
    ).toMatchObject({ code: 'NOT_FOUND' });
    expect(
      await failure(fabric.org1.interchain.evidence(evidence.txId, { kind: 'receipt' as 'ack', packetId: evidence.subject.packetId })),
    ).toMatchObject({ code: 'INVALID_INPUT', field: '/subject/kind' });
    expect(await failure(fabric.org1.interchain.evidence(evidence.txId, { kind: 'packet', packetId: 'a'.repeat(64) }))).toMatchObject({
      code: 'NOT_FOUND',
    });
    const put = await fabric.org1.kv.put(
      { app, key: unique('k'), requestId: unique('r'), value: new Uint8Array([1]) },
      fabric.actors.member.signer,
    );
    expect(await failure(fabric.org1.interchain.evidence(put.txId, evidence.subject))).toMatchObject({ code: 'NOT_FOUND' });
  });

  test('tampered blocks are rejected with the reason', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const raw = Buffer.from(proofOf(evidence).block, 'base64');
    const block = common.Block.deserializeBinary(raw);
    const envelope = block.getData()!.getDataList_asU8()[proofOf(evidence).txIndex]!;
    // A byte of the transaction (found inside the block bytes) flipped: the header's data hash no longer holds.
    const at = raw.indexOf(Buffer.from(envelope)) + Math.floor(envelope.length / 2);
    await expectRejected(
      withProof(evidence, { block: Buffer.from(flipped(raw, at)).toString('base64') }),
      /does not hash to the data hash/,
    );
    // The header changed (its previous hash): the orderer's signature no longer holds.
    await expectRejected(
      await forged(evidence, { header: (h) => h.setPreviousHash(flipped(h.getPreviousHash_asU8())) }),
      /block signature 0 \(OrdererMSP\): the signature does not verify/,
    );
    // The orderer's signature itself flipped.
    const sigs = common.Metadata.deserializeBinary(block.getMetadata()!.getMetadataList_asU8()[common.BlockMetadataIndex.SIGNATURES]!);
    const sigAt = raw.indexOf(Buffer.from(sigs.getSignaturesList()[0]!.getSignature_asU8())) + 40;
    await expectRejected(
      withProof(evidence, { block: Buffer.from(flipped(raw, sigAt)).toString('base64') }),
      /block signature 0 \(OrdererMSP\)/,
    );
    // Data changed (the endorsements in another order, the creator re-signed), hash recomputed, but no
    // orderer to sign it: rejected at the signature; signed by an orderer identity it would pass.
    const reordered = {
      endorsements: (list: peer.Endorsement[]) => [...list].reverse(),
      creator: fabric.actors.member.signer,
      rehash: true,
    };
    await expectRejected(await forged(evidence, reordered), /block signature 0 .*does not verify/);
    expect(reasonOf(await verify(await forged(evidence, { ...reordered, orderer })))).toMatch(/^proven/);
    // Not canonical base64, not a block at all, too short a proof: rejected, never thrown.
    await expectRejected(withProof(evidence, { block: proofOf(evidence).block.slice(0, -2) + '@@' }), /canonical base64/);
    await expectRejected(withProof(evidence, { block: Buffer.from('not a block').toString('base64') }), /cannot be decoded|no header/);
    await expectRejected(withProof(evidence, { block: '' }), /no block/);
  });

  test('endorsements must each verify, come from pinned CAs with the peer role, and meet the policy', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const reSigned = (endorsements: NonNullable<Parameters<typeof forge>[2]['endorsements']>) =>
      forged(evidence, { endorsements, creator: fabric.actors.member.signer, rehash: true, orderer });
    const of = (list: peer.Endorsement[], mspId: string) =>
      list.find((e) => msp.SerializedIdentity.deserializeBinary(e.getEndorser_asU8()).getMspid() === mspId)!;
    const org2Sig = (change: (e: peer.Endorsement) => peer.Endorsement) =>
      reSigned((list) => [of(list, 'Org1MSP'), change(of(list, 'Org2MSP'))]);
    // A flipped byte in Org2's endorsement signature.
    await expectRejected(
      await org2Sig((e) => {
        const copy = new peer.Endorsement();
        copy.setEndorser(e.getEndorser_asU8());
        copy.setSignature(flipped(e.getSignature_asU8()));
        return copy;
      }),
      /endorsement 1 \(Org2MSP\): the signature (does not verify|is not a DER)/,
    );
    // The same signature made high-S (valid ECDSA, refused by Fabric's MSP).
    await expectRejected(await org2Sig(highS), /endorsement 1 \(Org2MSP\): the signature has a high S/);
    // Org2's endorsement dropped, or replaced by a second one from Org1: the AND policy is not met.
    await expectRejected(await reSigned((list) => [of(list, 'Org1MSP')]), /endorsement policy is not met: 1 of 2 .*missing Org2MSP/);
    await expectRejected(await reSigned((list) => [of(list, 'Org1MSP'), of(list, 'Org1MSP')]), /missing Org2MSP/);
    await expectRejected(await reSigned(() => []), /no endorsement/);
    // A client of Org2 (issued by Org2's real CA) signs as endorser: a member, but not a peer.
    const org2 = fabric.devnet.network.organizations[1]!;
    const client = await mint(org2.mspId, org2.ca, 'client');
    await expectRejected(
      await reSigned((list, prp) => [of(list, 'Org1MSP'), endorsementBy(client, prp)]),
      /endorsement 1: Org2MSP certificate .* does not have the peer role/,
    );
    // A "peer" from a CA nobody pinned, with the very subject of Org2's CA.
    const rogue = await rogueCa(subjectOf(org2.ca.certificate));
    const fake = await mint(org2.mspId, rogue, 'peer');
    await expectRejected(
      await reSigned((list, prp) => [of(list, 'Org1MSP'), endorsementBy(fake, prp)]),
      /endorsement 1: Org2MSP certificate .* is not issued by a CA pinned for Org2MSP/,
    );
    // A real Org2 peer-role identity (from Org2's CA) endorsing is accepted: the checks are the CA, the role, the signature.
    const peer2 = await mint(org2.mspId, org2.ca, 'peer');
    expect(reasonOf(await verify(await reSigned((list, prp) => [of(list, 'Org1MSP'), endorsementBy(peer2, prp)])))).toMatch(/^proven/);
    // A peer of Org2 whose certificate had expired, or was not yet valid, at the transaction's time.
    const caStart = new (await import('node:crypto')).X509Certificate(org2.ca.certificate).validFrom;
    const expired = await mint(org2.mspId, org2.ca, 'peer', 'expired', {
      notBefore: new Date(Date.parse(caStart)),
      notAfter: new Date(Date.parse(caStart) + 1000),
    });
    await expectRejected(
      await reSigned((list, prp) => [of(list, 'Org1MSP'), endorsementBy(expired, prp)]),
      /endorsement 1: .*the certificate is not valid at/,
    );
    const early = await mint(org2.mspId, org2.ca, 'peer', 'early', {
      notBefore: new Date(Date.now() + 86_400_000),
      notAfter: new Date(Date.now() + 2 * 86_400_000),
    });
    await expectRejected(
      await reSigned((list, prp) => [of(list, 'Org1MSP'), endorsementBy(early, prp)]),
      /endorsement 1: .*the certificate is not valid at/,
    );
    // An orderer-role identity of the orderer org cannot endorse (not a pinned peer org: ignored, so the policy fails).
    await expectRejected(await reSigned((list, prp) => [of(list, 'Org1MSP'), endorsementBy(orderer, prp)]), /missing Org2MSP/);
  });

  test('a transaction the peers invalidated proves nothing, whatever its flag says', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    // Endorsed by Org1 alone: ordered into a block, flagged ENDORSEMENT_POLICY_FAILURE.
    const gateway = await fabric.org1.parts.connection.gatewayFor(fabric.actors.member.signer);
    const fields = { srcChain: fabric.devnet.network.name, ...input({ dstApp: unique('lone') }) };
    const error = await failure(
      fabric.org1.transactor.transact(gateway, 'sendPacket', [app.appId, JSON.stringify(fields)], {
        what: 'sendPacket endorsed by Org1 alone',
        deadline: Date.now() + 30_000,
        endorsingOrganizations: ['Org1MSP'],
      }),
    );
    gateway.close();
    expect(error).toMatchObject({ code: 'REJECTED_BY_CHAIN', stage: 'commit', detail: { code: 'ENDORSEMENT_POLICY_FAILURE' } });
    const txId = error.txId!;
    expect(await failure(fabric.org1.interchain.evidence(txId, evidence.subject))).toMatchObject({
      code: 'REJECTED_BY_CHAIN',
      stage: 'commit',
    });
    // Its evidence built by hand: the block, the index, the packet its endorser saw.
    const decoded = await fabric.org1.ledger.blockOf(txId);
    const tx = decoded.transactions.find((t) => t.txId === txId)!;
    const lone = JSON.parse(Buffer.from(tx.event!.payload).toString('utf8')) as Packet;
    const invalid: Evidence = {
      v: 1,
      framework: 'fabric',
      chain: fabric.devnet.network.name,
      subject: { kind: 'packet', packetId: packetId(lone) },
      txId,
      block: decoded.number,
      blockHash: decoded.hash,
      proof: {
        block: Buffer.from(await fabric.org1.ledger.blockBytes(decoded.number)).toString('base64'),
        txIndex: tx.index,
        packet: lone,
      } as unknown as Record<string, unknown>,
    };
    await expectRejected(invalid, /flagged ENDORSEMENT_POLICY_FAILURE in the block, not VALID/);
    // The flags are the committing peer's and signed by nobody: rewritten to VALID, the policy check still refuses it.
    await expectRejected(
      await forged(invalid, { flags: (f) => (f[tx.index] = 0) }),
      /endorsement policy is not met: 1 of 2 .*missing Org2MSP/,
    );
    // And a valid transaction flagged invalid is not proven either.
    await expectRejected(await forged(evidence, { flags: (f) => (f[proofOf(evidence).txIndex] = 11) }), /flagged MVCC_READ_CONFLICT/);
  });

  test('the loser of a seq race in the same block proves nothing, even with its flag rewritten', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const gateway = await fabric.org1.parts.connection.gatewayFor(fabric.actors.member.signer);
    const contract = gateway.getNetwork(fabric.devnet.network.channel).getContract(fabric.devnet.network.chaincode!);
    let race: Array<{ txId: string; code: number; block: number }> = [];
    try {
      // Both endorsed against the same counter, then ordered together (batch timeout 250 ms): one wins.
      for (let attempt = 0; attempt < 5; attempt++) {
        const target = input({ dstApp: unique('race') });
        const endorsed = await Promise.all(
          [0, 1].map((i) =>
            contract
              .newProposal('sendPacket', {
                arguments: [app.appId, JSON.stringify({ srcChain: fabric.devnet.network.name, ...target, grantRef: `grant-${i}` })],
              })
              .endorse(),
          ),
        );
        const submitted = await Promise.all(endorsed.map((t) => t.submit()));
        race = await Promise.all(
          submitted.map(async (c) => {
            const status = await c.getStatus();
            return { txId: c.getTransactionId(), code: status.code, block: Number(status.blockNumber) };
          }),
        );
        if (race[0]!.block === race[1]!.block) break;
      }
    } finally {
      gateway.close();
    }
    expect(race[0]!.block, 'both transactions landed in one block').toBe(race[1]!.block);
    const winner = race.find((r) => r.code === 0)!;
    const loser = race.find((r) => r.code !== 0)!;
    expect(loser.code).toBe(11); // MVCC_READ_CONFLICT
    const decoded = await fabric.org1.ledger.block(winner.block);
    const bytes = Buffer.from(await fabric.org1.ledger.blockBytes(winner.block)).toString('base64');
    const evidenceOf = (txId: string): Evidence => {
      const tx = decoded.transactions.find((t) => t.txId === txId)!;
      const p = JSON.parse(Buffer.from(tx.event!.payload).toString('utf8')) as Packet;
      return {
        v: 1,
        framework: 'fabric',
        chain: fabric.devnet.network.name,
        subject: { kind: 'packet', packetId: packetId(p) },
        txId,
        block: decoded.number,
        blockHash: decoded.hash,
        proof: { block: bytes, txIndex: tx.index, packet: p } as unknown as Record<string, unknown>,
      };
    };
    const won = evidenceOf(winner.txId);
    const lost = evidenceOf(loser.txId);
    expect(proofOf(lost).packet.seq, 'both were endorsed with the same seq').toBe(proofOf(won).packet.seq);
    expect(proofOf(lost).packet.grantRef).not.toBe(proofOf(won).packet.grantRef);
    expect(reasonOf(await verify(won))).toMatch(/^proven/);
    await expectRejected(lost, /flagged MVCC_READ_CONFLICT/);
    await expectRejected(
      await forged(lost, { flags: (f) => (f[proofOf(lost).txIndex] = 0) }),
      new RegExp(`\\(${winner.txId}\\) read what this one read .* lost that race`),
    );
    expect(await failure(fabric.org1.interchain.evidence(loser.txId, lost.subject))).toMatchObject({ code: 'REJECTED_BY_CHAIN' });
  });

  test('the packet must be the one the chaincode emitted and wrote', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const other = { ...packet, payload: Buffer.from('other').toString('base64') };
    await expectRejected(withProof(evidence, { packet: other }), /another packet than this one/);
    const nextSeq = { ...packet, seq: packet.seq + 1 };
    await expectRejected(withProof(evidence, { packet: nextSeq }), /packet's id is .*subject names/);
    await expectRejected(
      { ...withProof(evidence, { packet: nextSeq }), subject: { kind: 'packet', packetId: packetId(nextSeq) } },
      /another packet than this one/,
    );
    await expectRejected(
      withProof(evidence, { packet: { ...packet, srcChain: 'another-chain' } }),
      /srcChain another-chain is not the chain/,
    );
    await expectRejected(withProof(evidence, { packet: { ...packet, extra: 1 } as unknown as Packet }), /packet is malformed/);
    await expectRejected(
      {
        ...structuredClone(evidence),
        subject: { kind: 'packet', packetId: evidence.subject.packetId.replace(/.$/, (c) => (c === '0' ? '1' : '0')) },
      },
      /subject names/,
    );
    // The evidence's own claims are checked against the block, never taken as given.
    await expectRejected({ ...structuredClone(evidence), block: evidence.block + 1 }, /evidence names block/);
    await expectRejected({ ...structuredClone(evidence), blockHash: 'ab'.repeat(32) }, /not to the evidence's blockHash/);
    await expectRejected({ ...structuredClone(evidence), txId: 'ab'.repeat(32) }, /the evidence names/);
    const count = common.Block.deserializeBinary(Buffer.from(proofOf(evidence).block, 'base64'))
      .getData()!
      .getDataList().length;
    await expectRejected(withProof(evidence, { txIndex: count }), /has no transaction/);
    await expectRejected(withProof(evidence, { txIndex: -1 }), /non-negative integer/);
    // Evidence of a packet passed off as an ack: the packet's target is not the chain of the roots, and it carries no ack.
    await expectRejected(
      { ...structuredClone(evidence), subject: { kind: 'ack', packetId: evidence.subject.packetId } },
      /dstChain peer-chain is not the chain/,
    );
    await expectRejected(
      { ...structuredClone(evidence), subject: { kind: 'receipt' as 'ack', packetId: evidence.subject.packetId } },
      /evidence of a receipt is not proven by this verifier/,
    );
    await expectRejected({ ...structuredClone(evidence), framework: 'ethereum' }, /not fabric/);
    await expectRejected({ ...structuredClone(evidence), chain: 'another-chain' }, /the roots are for/);
  });

  test('roots for another channel, chaincode, CA or orderer, and empty roots, reject', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const roots = rootsOf(trust);
    await expectRejected(evidence, /on channel .* the roots pin otherchannel/, withRoots({ channel: 'otherchannel' }));
    await expectRejected(evidence, /invokes chaincode .* the roots pin other-cc/, withRoots({ chaincode: 'other-cc' }));
    await expectRejected(evidence, /the roots are for another-chain/, { ...trust, chain: 'another-chain' });
    const rogue = await rogueCa('CN=ca.org1.example.com, O=org1.example.com');
    await expectRejected(
      evidence,
      /creator is not accepted: Org1MSP certificate .* not issued by a CA pinned for Org1MSP/,
      withRoots({ orgs: [{ mspId: 'Org1MSP', caCerts: [rogue.certificate] }, roots.orgs[1]!] }),
    );
    // Org1's CA pinned for Org2 and the other way round.
    await expectRejected(
      evidence,
      /not issued by a CA pinned/,
      withRoots({
        orgs: [
          { mspId: 'Org1MSP', caCerts: roots.orgs[1]!.caCerts },
          { mspId: 'Org2MSP', caCerts: roots.orgs[0]!.caCerts },
        ],
      }),
    );
    await expectRejected(
      evidence,
      /block signature 0: OrdererMSP certificate .* not issued by a CA pinned for OrdererMSP/,
      withRoots({ orderer: { mspId: 'OrdererMSP', caCerts: [rogue.certificate] } }),
    );
    await expectRejected(
      evidence,
      /not signed by the pinned orderer org OtherOrdererMSP/,
      withRoots({ orderer: { mspId: 'OtherOrdererMSP', caCerts: roots.orderer.caCerts } }),
    );
    // A policy asking for an org that did not endorse; a weaker one (one org) still holds.
    const three = withRoots({
      orgs: [...roots.orgs, { mspId: 'Org3MSP', caCerts: [rogue.certificate] }],
      policy: { kind: 'all-of', mspIds: ['Org1MSP', 'Org2MSP', 'Org3MSP'] },
    });
    await expectRejected(evidence, /2 of 3 required .*missing Org3MSP/, three);
    expect(reasonOf(await verify(evidence, withRoots({ policy: { kind: 'n-of', n: 1, mspIds: ['Org2MSP'] } })))).toMatch(/^proven/);
    // Empty, default and malformed roots.
    for (const [bad, reason] of [
      [{ ...trust, roots: {} }, /empty/],
      [{ ...trust, framework: 'ethereum' }, /not fabric/],
      [withRoots({ orgs: [] }), /no peer organization/],
      [withRoots({ orgs: [{ mspId: 'Org1MSP', caCerts: [] }, roots.orgs[1]!] }), /pins no CA certificate/],
      [withRoots({ orgs: [roots.orgs[0]!, roots.orgs[0]!] }), /pin Org1MSP twice/],
      [withRoots({ orderer: { mspId: 'OrdererMSP', caCerts: [] } }), /orderer .*pins no CA certificate/],
      [withRoots({ orderer: undefined as never }), /orderer must be/],
      [withRoots({ policy: undefined as never }), /no endorsement policy/],
      [withRoots({ policy: { kind: 'all-of', mspIds: [] } }), /names no organization/],
      [withRoots({ policy: { kind: 'all-of', mspIds: ['Org9MSP'] } }), /do not pin/],
      [withRoots({ policy: { kind: 'n-of', n: 0, mspIds: ['Org1MSP'] } }), /n must be/],
      [withRoots({ policy: { kind: 'any' as never, mspIds: ['Org1MSP'] } }), /unknown endorsement policy kind/],
      [
        withRoots({ orgs: [{ mspId: 'Org1MSP', caCerts: [fabric.devnet.network.organizations[0]!.user.certificate] }, roots.orgs[1]!] }),
        /not a CA certificate/,
      ],
      [withRoots({ attesters: [], threshold: 1 }), /no attesters/],
      [withRoots({ attesters: [nodes[0]!.pinned], threshold: 0 }), /threshold/],
      [withRoots({ threshold: 1 }), /no attesters/],
    ] as Array<[TrustRoots, RegExp]>) {
      await expectRejected(evidence, reason, bad);
    }
  });

  test('with attesters pinned, t distinct pinned city nodes must attest the block as well', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const pinned = await fabric.org1.interchain.trustRoots(
      nodes.map((n) => n.pinned),
      2,
    );
    expect(rootsOf(pinned)).toMatchObject({ threshold: 2, attesters: nodes.map((n) => n.pinned) });
    await expectRejected(evidence, /not attested: attestations must be a list/, pinned);
    await expectRejected(await attested(evidence, nodes.slice(0, 1)), /1 distinct pinned attester/, pinned);
    await expectRejected(await attested(evidence, [nodes[0]!, nodes[0]!]), /duplicate/, pinned);
    await expectRejected(await attested(evidence, [cityNode('secp256k1'), cityNode('secp256r1')]), /not attested/, pinned);
    expect(reasonOf(await verify(await attested(evidence, nodes.slice(1)), pinned))).toMatch(/^proven/);
    // An attestation of another block of the chain does not carry over.
    const other = await attested({
      ...evidence,
      block: evidence.block - 1,
      blockHash: (await fabric.org1.gateway.block(evidence.block - 1)).hash,
    });
    await expectRejected({ ...structuredClone(evidence), attestations: other.attestations! }, /not attested/, pinned);
    expect(await failure(fabric.org1.interchain.trustRoots([], 1))).toMatchObject({ code: 'INVALID_INPUT' });
    expect(
      await failure(
        fabric.org1.interchain.trustRoots(
          nodes.map((n) => n.pinned),
          4,
        ),
      ),
    ).toMatchObject({ code: 'INVALID_INPUT' });
  });
});
