// Interchain delivery on a real two-org Fabric network (docs/interchain-delivery.md), loopback:
// app A sends to app B on the same channel. Three generated city-node attester keys, t = 2, each
// signing only after `verify` proved the evidence. The happy path end to end, then every refusal
// an attacker or a lagging relayer meets — each a typed error after which the ledger has no new
// block, B's value is untouched and the packet has no receipt (read from the peer itself).
import { createPrivateKey, createHash } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import { hash as fabricHash, signers as fabricSigners, connect as connectGateway } from '@hyperledger/fabric-gateway';
import { common, gateway as gatewayProtos, ledger, peer } from '@hyperledger/fabric-protos';
import {
  ackCommitment,
  attestInterchain,
  attesterPublicKey,
  encodePacketCall,
  generatePrivateKey,
  packetCommitment,
  packetId,
  privateKeySigner,
  type Ack,
  type AppInfo,
  type AttestedKind,
  type ChainGrant,
  type Evidence,
  type InterchainAttestation,
  type Packet,
  type PacketInput,
  type Signer,
  type TrustRoots,
} from '@bsn/contract';
import { unique } from '@bsn/contract/testing';
import { failure, newApp, useFabricNetwork, connect } from '../__fixtures__/network.js';
import { peerGrpcClient } from '../peer-grpc.js';
import { blockHeaderHash } from '../blocks.js';
import { endorsementBy, forge, mint, type Edit } from './__fixtures__/forge.js';

const fabric = useFabricNetwork({ org2: true, actors: ['owner', 'member', 'outsider', 'relayer'] });

const attesterKeys = [generatePrivateKey('secp256k1'), generatePrivateKey('secp256k1'), generatePrivateKey('secp256k1')];
const pinned = { publicKeys: attesterKeys.map((k) => attesterPublicKey(k)), threshold: 2 };
// setGrant listed too: a grant may name any method, yet a packet reaches only the packet-callable ones.
const ALL = ['kv.put', 'kv.get', 'kv.delete', 'setGrant'];

let chain: string;
let trust: TrustRoots;
let orgAdmin: Signer;
let appA: AppInfo;
let appB: AppInfo;

/** The org admin's own key (the devnet's Admin@org1, OU=admin): the operator who configures delivery. */
function adminSigner(pem: string): Signer {
  const d = createPrivateKey(pem).export({ format: 'jwk' }).d!;
  return privateKeySigner('secp256r1', new Uint8Array(Buffer.from(d, 'base64url')));
}

const grant = (over: Partial<ChainGrant>): ChainGrant => ({
  direction: 'incoming',
  peerChain: chain,
  peerApp: appA.appId,
  ref: 'grant-ab',
  methods: ALL,
  expiresAt: 0,
  revoked: false,
  ...over,
});

const put = (key: string, value: string) =>
  Buffer.from(encodePacketCall({ method: 'kv.put', key, value: Buffer.from(value) })).toString('base64');
const input = (over: Partial<PacketInput> = {}): PacketInput => ({
  dstChain: chain,
  dstApp: appB.appId,
  method: 'kv.put',
  payload: put(unique('k'), 'v'),
  timeout: Date.now() + 600_000,
  grantRef: 'grant-ab',
  ...over,
});

const ic = () => fabric.org1.interchain;
const emit = async (over: Partial<PacketInput> = {}, from: AppInfo = appA) =>
  (await ic().emit(from, input(over), fabric.actors.member.signer)).packet;

/** What a city node does: verify the evidence against its pinned roots, and only then sign. */
async function attestAfterVerify(evidence: Evidence, kind: AttestedKind, commitment: string, keys = attesterKeys.slice(0, 2)) {
  const v = await ic().verify(evidence, trust);
  expect(v.state, v.state === 'rejected' ? v.reason : '').toBe('proven');
  return keys.map((k) => attestInterchain(kind, commitment, k));
}
const signed = (kind: AttestedKind, commitment: string, keys = attesterKeys.slice(0, 2)) =>
  keys.map((k) => attestInterchain(kind, commitment, k));
const packetAttested = (p: Packet, keys = attesterKeys.slice(0, 2)) => signed('packet', packetCommitment(p), keys);

const keyOf = (p: Packet) =>
  Buffer.from(p.payload, 'base64')
    .subarray(2, 2 + Buffer.from(p.payload, 'base64').readUInt16BE(0))
    .toString('utf8');
const height = async () => (await fabric.org1.gateway.block('latest')).number;

/**
 * The refusal `act` meets: its typed error, and nothing changed — no block was added, the
 * packet has no receipt on its target and the key it would have written is absent.
 */
async function refused(act: () => Promise<unknown>, code: string, message: RegExp, packet?: Packet) {
  const before = await height();
  const error = await failure(act());
  expect({ code: error.code, message: error.message }).toMatchObject({ code, message: expect.stringMatching(message) });
  expect(await height(), 'a refused transaction added no block').toBe(before);
  if (packet) {
    expect(await ic().packetState(packet, 'target')).toEqual({ side: 'target', state: 'none' });
    if (packet.method === 'kv.put' && packet.dstApp === appB.appId) expect(await fabric.org1.kv.get(appB, keyOf(packet))).toBeNull();
  }
  return error;
}

beforeAll(async () => {
  if (fabric.skipped) return;
  chain = fabric.devnet.network.name;
  orgAdmin = adminSigner(fabric.devnet.network.organizations[0]!.admin.privateKey);
  const owner = fabric.actors.owner;
  [appA, appB] = await Promise.all([
    newApp(fabric.org1, owner, [fabric.actors.member.account], 'src'),
    newApp(fabric.org1, owner, [fabric.actors.member.account], 'dst'),
  ]);
  trust = await ic().trustRoots();
  await ic().configureDelivery!(pinned, orgAdmin);
  await ic().setGrant!(appA, grant({ direction: 'outgoing', peerApp: appB.appId }), owner.signer);
  await ic().setGrant!(appB, grant({}), owner.signer);
}, 240_000);

describe('configuration and grants', () => {
  test('only an org admin configures, only soundly; the chain name is fixed by the first configuration', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    await refused(() => ic().configureDelivery!(pinned, fabric.actors.owner.signer), 'UNAUTHORIZED', /only an admin of a member org/);
    await refused(() => ic().configureDelivery!({ ...pinned, threshold: 1 }, orgAdmin), 'INVALID_INPUT', /not a majority/);
    // Past the adapter's own check, the chaincode refuses as well (a relayer may call it directly).
    const gateway = await fabric.org1.parts.connection.gatewayFor(orgAdmin);
    try {
      await refused(
        () =>
          fabric.org1.transactor.transact(
            gateway,
            'BsnInterchain:configureDelivery',
            [chain, JSON.stringify({ publicKeys: pinned.publicKeys, threshold: 1 })],
            { what: 'an unsound configuration', deadline: Date.now() + 30_000 },
          ),
        'INVALID_INPUT',
        /not a majority/,
      );
    } finally {
      gateway.close();
    }
    const renamed = await connect(fabric.devnet, { name: 'another-name' });
    try {
      await refused(() => renamed.interchain.configureDelivery!(pinned, orgAdmin), 'CONFLICT', /chain name is .* fixed/);
    } finally {
      await renamed.close();
    }
    // Org2's admin is an admin of a member org too: it may re-pin (here the same set).
    const org2Admin = adminSigner(fabric.devnet.network.organizations[1]!.admin.privateKey);
    const receipt = await fabric.org2.interchain.configureDelivery!(pinned, org2Admin);
    expect(receipt.status).toBe('committed');
  });

  test('only the app’s owner sets its grants; a packet cannot reach setGrant', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    for (const who of [fabric.actors.member, fabric.actors.outsider]) {
      await refused(() => ic().setGrant!(appB, grant({ methods: ['kv.put'] }), who.signer), 'UNAUTHORIZED', /only the app's admin/);
    }
    await refused(() => ic().setGrant!(appB, grant({ methods: [] }), fabric.actors.owner.signer), 'INVALID_INPUT', /methods/);
    const p = await emit({ method: 'setGrant', payload: '' });
    await refused(() => ic().deliver!(p, packetAttested(p), fabric.actors.relayer.signer), 'INVALID_INPUT', /unregistered method/, p);
  });
});

describe('a packet delivered, acknowledged', () => {
  test('loopback A → B: emit, evidence verified, t-of-M attested, delivered once, the ack proven and acknowledged', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const key = unique('greeting');
    const sent = await ic().emit(appA, input({ payload: put(key, 'hello from A') }), fabric.actors.member.signer);
    const packet = sent.packet;
    const id = packetId(packet);
    expect(await ic().packetState(packet)).toEqual({ side: 'source', state: 'sent', txId: sent.receipt.txId });
    expect(await ic().packetState(packet, 'target')).toEqual({ side: 'target', state: 'none' });

    const evidence = await ic().evidence(sent.receipt.txId, { kind: 'packet', packetId: id });
    const attestations = await attestAfterVerify(evidence, 'packet', packetCommitment(packet));
    const { receipt, ack } = await ic().deliver!(packet, attestations, fabric.actors.relayer.signer);
    expect(ack).toEqual({ packetId: id, commitment: packetCommitment(packet), status: 'OK', result: '' });
    expect(receipt.events).toEqual([expect.objectContaining({ app: appB.appId, name: 'packet.received', txId: receipt.txId })]);
    expect(JSON.parse(Buffer.from(receipt.events[0]!.payload).toString('utf8'))).toEqual(ack);
    // The value, as Org2's peer holds it, written by the delivering transaction.
    const entry = await fabric.org2.kv.get(appB, key);
    expect(Buffer.from(entry!.value).toString()).toBe('hello from A');
    expect(entry!.txId).toBe(receipt.txId);
    expect(await fabric.org2.interchain.packetState!(packet, 'target')).toEqual({
      side: 'target',
      state: 'delivered',
      ack,
      txId: receipt.txId,
    });

    // The ack's evidence: the target's block; proven with exactly that ack.
    const ackEvidence = await ic().evidence(receipt.txId, { kind: 'ack', packetId: id });
    const proven = await ic().verify(ackEvidence, trust);
    expect(proven).toEqual({ state: 'proven', subject: { kind: 'ack', packetId: id }, packet, ack });
    const ackAttestations = await attestAfterVerify(ackEvidence, 'ack', ackCommitment(ack), attesterKeys.slice(1));
    const acked = await ic().acknowledge!(packet, ack, ackAttestations, fabric.actors.relayer.signer);
    expect(acked.events).toEqual([expect.objectContaining({ app: appA.appId, name: 'packet.acknowledged', txId: acked.txId })]);
    expect(JSON.parse(Buffer.from(acked.events[0]!.payload).toString('utf8'))).toEqual(ack);
    expect(await ic().packetState(packet)).toEqual({ side: 'source', state: 'acknowledged', ack, txId: acked.txId });
    expect(await ic().packetState(packet, 'target')).toEqual({ side: 'target', state: 'delivered', ack, txId: receipt.txId });

    // A replayed delivery, a second acknowledgement: CONFLICT, nothing changes.
    await refused(() => ic().deliver!(packet, attestations, fabric.actors.relayer.signer), 'CONFLICT', /already delivered/);
    await refused(() => ic().acknowledge!(packet, ack, ackAttestations, fabric.actors.relayer.signer), 'CONFLICT', /already acknowledged/);
    await refused(
      () => ic().closeTimedOut!(packet, signed('timeout', packetCommitment(packet)), fabric.actors.relayer.signer),
      'CONFLICT',
      /already acknowledged/,
    );
    expect((await fabric.org1.kv.history(appB, key)).length).toBe(1);

    // A kv.get answers with the value in its ack; a missing key is a NOT_FOUND ack, delivered once all the same.
    const get = await emit({ method: 'kv.get', payload: Buffer.from(key).toString('base64') });
    expect((await ic().deliver!(get, packetAttested(get), fabric.actors.relayer.signer)).ack).toMatchObject({
      status: 'OK',
      result: Buffer.from('hello from A').toString('base64'),
    });
    const missing = await emit({ method: 'kv.delete', payload: Buffer.from(unique('none')).toString('base64') });
    const notFound = await ic().deliver!(missing, packetAttested(missing), fabric.actors.relayer.signer);
    expect(notFound.ack).toMatchObject({ status: 'NOT_FOUND', result: '' });
    expect((await ic().packetState(missing, 'target')).state).toBe('delivered');
  });

  test('an ack evidence proves only the ack its transaction wrote', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const p = await emit();
    const { receipt, ack } = await ic().deliver!(p, packetAttested(p), fabric.actors.relayer.signer);
    const ev = await ic().evidence(receipt.txId, { kind: 'ack', packetId: packetId(p) });
    const proofPacket = (ev.proof as { packet: Packet }).packet;
    const rejected = async (e: Evidence, reason: RegExp) => {
      const v = await ic().verify(e, trust);
      expect(v.state === 'rejected' ? v.reason : 'proven').toMatch(reason);
    };
    await rejected(
      { ...ev, proof: { ...ev.proof, packet: { ...proofPacket, payload: put('other', 'x') } } },
      /answers another packet|subject names/,
    );
    const other = await emit();
    await rejected(
      { ...ev, subject: { kind: 'ack', packetId: packetId(other) }, proof: { ...ev.proof, packet: other } },
      /did not write the receipt d\/[0-9a-f]{64}/,
    );
    await rejected({ ...ev, subject: { kind: 'timeout', packetId: packetId(p) } }, /not the timeout of a packet/);
    await rejected({ ...ev, subject: { kind: 'packet', packetId: packetId(p) } }, /srcChain|not a packet sent|another packet/);
    expect(await failure(ic().evidence(receipt.txId, { kind: 'timeout', packetId: packetId(p) }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await failure(ic().evidence(receipt.txId, { kind: 'ack', packetId: packetId(other) }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(ack.status).toBe('OK');
  });
});

describe('forged delivery evidence', () => {
  test('a block re-endorsed with another ack in its event, or another receipt written, proves no ack', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const p = await emit();
    const { receipt, ack } = await ic().deliver!(p, packetAttested(p), fabric.actors.relayer.signer);
    const ev = await ic().evidence(receipt.txId, { kind: 'ack', packetId: packetId(p) });
    const net = fabric.devnet.network;
    // A forger holding an orderer identity and a peer identity of each org (issued by the real CAs):
    // what it takes to reach the delivery checks behind every signature.
    const orderer = await mint(net.orderer.mspId, net.orderer.ca, 'orderer');
    const peers = await Promise.all(net.organizations.map((o) => mint(o.mspId, o.ca, 'peer')));
    const proof = ev.proof as { block: string; txIndex: number };
    const forged = async (action: Edit['action']): Promise<Evidence> => {
      const block = await forge(proof.block, proof.txIndex, {
        action,
        endorsements: (_list, prp) => peers.map((m) => endorsementBy(m, prp)),
        creator: fabric.actors.relayer.signer,
        rehash: true,
        orderer,
      });
      const h = common.Block.deserializeBinary(Buffer.from(block, 'base64')).getHeader()!;
      return {
        ...structuredClone(ev),
        proof: { ...ev.proof, block },
        blockHash: blockHeaderHash(BigInt(h.getNumber()), h.getPreviousHash_asU8(), h.getDataHash_asU8()),
      };
    };
    const event = (change: (e: peer.ChaincodeEvent) => void) => (a: peer.ChaincodeAction) => {
      const e = peer.ChaincodeEvent.deserializeBinary(a.getEvents_asU8());
      change(e);
      a.setEvents(e.serializeBinary());
    };
    const receiptWrite = (value: string) => (a: peer.ChaincodeAction) => {
      const rw = ledger.rwset.TxReadWriteSet.deserializeBinary(a.getResults_asU8());
      for (const ns of rw.getNsRwsetList()) {
        const kv = ledger.rwset.kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8());
        kv.setWritesList(kv.getWritesList().map((w) => (w.getKey().startsWith('d/') ? (w.setValue(Buffer.from(value)), w) : w)));
        ns.setRwset(kv.serializeBinary());
      }
      rw.setNsRwsetList(rw.getNsRwsetList());
      a.setResults(rw.serializeBinary());
    };
    const verdict = async (e: Evidence) => {
      const v = await ic().verify(e, trust);
      return v.state === 'rejected' ? v.reason : `proven ${JSON.stringify(v.ack)}`;
    };
    const lie: Ack = { ...ack, status: 'NOT_FOUND' };
    const canonicalAck = (a: Ack) => JSON.stringify({ commitment: a.commitment, packetId: a.packetId, result: a.result, status: a.status });
    // The control: re-endorsed and re-signed with nothing changed, it is proven with the real ack.
    expect(await verdict(await forged(() => {}))).toBe(`proven ${JSON.stringify(ack)}`);
    expect(await verdict(await forged(event((e) => e.setPayload(Buffer.from(canonicalAck(lie))))))).toMatch(
      /receipt d\/[0-9a-f]{64} written does not record this ack/,
    );
    expect(
      await verdict(await forged(receiptWrite(JSON.stringify({ ...JSON.parse(canonicalAck(lie)), state: 'delivered', tx: ev.txId })))),
    ).toMatch(/does not record this ack/);
    expect(await verdict(await forged(event((e) => e.setEventName(`bsn/${appA.appId}/packet.received`))))).toMatch(
      /not the ack of a packet to/,
    );
    expect(
      await verdict(
        await forged(
          event((e) =>
            e.setPayload(
              Buffer.from(JSON.stringify({ packetId: ack.packetId, commitment: ack.commitment, status: ack.status, result: ack.result })),
            ),
          ),
        ),
      ),
    ).toMatch(/non-canonical/);
    // Changed without re-endorsing: the endorsements no longer cover it.
    const unendorsed = await forge(proof.block, proof.txIndex, {
      action: event((e) => e.setPayload(Buffer.from(canonicalAck(lie)))),
      endorsements: (list) => list,
      creator: fabric.actors.relayer.signer,
      rehash: true,
      orderer,
    });
    const h = common.Block.deserializeBinary(Buffer.from(unendorsed, 'base64')).getHeader()!;
    expect(
      await verdict({
        ...structuredClone(ev),
        proof: { ...ev.proof, block: unendorsed },
        blockHash: blockHeaderHash(BigInt(h.getNumber()), h.getPreviousHash_asU8(), h.getDataHash_asU8()),
      }),
    ).toMatch(/endorsement 0 .*does not verify/);
  });
});

describe('refused deliveries change nothing', () => {
  test('forged or short attestations: unpinned signers, below threshold, one signer twice, wrong kind, altered payload', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const p = await emit();
    const relay =
      (a: InterchainAttestation[], packet = p) =>
      () =>
        ic().deliver!(packet, a, fabric.actors.relayer.signer);
    const strangers = [generatePrivateKey('secp256k1'), generatePrivateKey('secp256k1')];
    await refused(relay(packetAttested(p, strangers)), 'UNAUTHORIZED', /attestations below threshold: 0 of the 2/, p);
    await refused(relay(packetAttested(p, attesterKeys.slice(0, 1))), 'UNAUTHORIZED', /below threshold: 1 of the 2/, p);
    await refused(
      relay([...packetAttested(p, [attesterKeys[0]!]), ...packetAttested(p, [attesterKeys[0]!])]),
      'UNAUTHORIZED',
      /1 of the 2/,
      p,
    );
    await refused(
      relay([...packetAttested(p, [attesterKeys[0]!]), ...packetAttested(p, [strangers[0]!])]),
      'UNAUTHORIZED',
      /1 of the 2/,
      p,
    );
    await refused(relay(signed('ack', packetCommitment(p))), 'UNAUTHORIZED', /below threshold: 0/, p);
    await refused(relay(signed('timeout', packetCommitment(p))), 'UNAUTHORIZED', /below threshold: 0/, p);
    await refused(relay([]), 'UNAUTHORIZED', /below threshold/, p);
    // The payload altered after attesting: the commitment the chain rebuilds is another one.
    const altered = { ...p, payload: put(keyOf(p), 'forged') };
    await refused(relay(packetAttested(p), altered), 'UNAUTHORIZED', /below threshold: 0/, altered);
    // Attestations relabelled with the altered commitment no longer verify.
    const relabelled = packetAttested(p).map((a) => ({ ...a, commitment: packetCommitment(altered) }));
    await refused(relay(relabelled, altered), 'UNAUTHORIZED', /below threshold: 0/, altered);
    // A packet for another chain, a malformed one: refused before any attestation is looked at.
    const elsewhere = { ...p, dstChain: 'another-chain' };
    await refused(relay(packetAttested(elsewhere), elsewhere), 'INVALID_INPUT', /another-chain, this is/);
    expect(await failure(relay(packetAttested(p), { ...p, dstApp: 'a"b' })())).toMatchObject({
      code: 'INVALID_INPUT',
      field: '/packet/dstApp',
    });
    // Honest attestations still deliver it afterwards.
    expect((await relay(packetAttested(p, attesterKeys.slice(1)))()).ack.status).toBe('OK');
  });

  test('grants: none incoming, none outgoing, the wrong grantRef, revoked, expired', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const owner = fabric.actors.owner.signer;
    const appC = await newApp(fabric.org1, fabric.actors.owner, [fabric.actors.member.account], 'src-c');
    // C may send to B, but B lets only A in.
    await ic().setGrant!(appC, grant({ direction: 'outgoing', peerApp: appB.appId, ref: 'grant-cb' }), owner);
    const fromC = await emit({ grantRef: 'grant-cb' }, appC);
    await refused(
      () => ic().deliver!(fromC, packetAttested(fromC), fabric.actors.relayer.signer),
      'UNAUTHORIZED',
      /does not let .* no grant/,
      fromC,
    );
    // No outgoing grant from D; the wrong grantRef from A; a method A's grant does not list.
    const appD = await newApp(fabric.org1, fabric.actors.owner, [fabric.actors.member.account], 'src-d');
    await refused(() => ic().emit(appD, input(), fabric.actors.member.signer), 'UNAUTHORIZED', /may not send .* no grant/);
    await refused(
      () => ic().emit(appA, input({ grantRef: 'grant-other' }), fabric.actors.member.signer),
      'UNAUTHORIZED',
      /grantRef is not grant-ab/,
    );
    await ic().setGrant!(appA, grant({ direction: 'outgoing', peerApp: appB.appId, methods: ['kv.get'] }), owner);
    await refused(() => ic().emit(appA, input(), fabric.actors.member.signer), 'UNAUTHORIZED', /does not list kv.put/);
    await ic().setGrant!(appA, grant({ direction: 'outgoing', peerApp: appB.appId }), owner);

    // Sent while granted, then B revokes: the delivery is refused; restored, it goes through.
    const p = await emit();
    await ic().setGrant!(appB, grant({ revoked: true }), owner);
    await refused(() => ic().deliver!(p, packetAttested(p), fabric.actors.relayer.signer), 'UNAUTHORIZED', /revoked/, p);
    await ic().setGrant!(appB, grant({ methods: ['kv.get'] }), owner);
    await refused(() => ic().deliver!(p, packetAttested(p), fabric.actors.relayer.signer), 'UNAUTHORIZED', /does not list kv.put/, p);
    await ic().setGrant!(appB, grant({ expiresAt: Date.now() + 2_000 }), owner);
    await new Promise((r) => setTimeout(r, 2_500));
    await refused(() => ic().deliver!(p, packetAttested(p), fabric.actors.relayer.signer), 'UNAUTHORIZED', /expired/, p);
    // A's outgoing grant revoked: no new packets.
    await ic().setGrant!(appA, grant({ direction: 'outgoing', peerApp: appB.appId, revoked: true }), owner);
    await refused(() => ic().emit(appA, input(), fabric.actors.member.signer), 'UNAUTHORIZED', /revoked/);
    await ic().setGrant!(appA, grant({ direction: 'outgoing', peerApp: appB.appId }), owner);
    await ic().setGrant!(appB, grant({}), owner);
    expect((await ic().deliver!(p, packetAttested(p), fabric.actors.relayer.signer)).ack.status).toBe('OK');
  });

  test('a frozen or unknown target app', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const p = await emit();
    await fabric.org1.lifecycle.freeze(appB, fabric.actors.owner.signer);
    try {
      await refused(() => ic().deliver!(p, packetAttested(p), fabric.actors.relayer.signer), 'CONFLICT', /frozen/, p);
    } finally {
      await fabric.org1.lifecycle.unfreeze(appB, fabric.actors.owner.signer);
    }
    const ghost = { ...p, dstApp: unique('ghost') };
    await refused(() => ic().deliver!(ghost, packetAttested(ghost), fabric.actors.relayer.signer), 'NOT_FOUND', /does not exist/, ghost);
  });
});

describe('timeouts', () => {
  test('after its timeout a packet is never delivered; recorded as timed out on the target, then closed on the source', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const p = await emit({ timeout: Date.now() + 4_000 });
    const attestations = packetAttested(p);
    await refused(() => ic().recordTimeout!(p, attestations, fabric.actors.relayer.signer), 'CONFLICT', /not yet/, p);
    await new Promise((r) => setTimeout(r, Math.max(0, p.timeout - Date.now()) + 500));
    await refused(() => ic().deliver!(p, attestations, fabric.actors.relayer.signer), 'CONFLICT', /timed out/, p);
    await refused(
      () => ic().recordTimeout!(p, packetAttested(p, attesterKeys.slice(0, 1)), fabric.actors.relayer.signer),
      'UNAUTHORIZED',
      /below threshold/,
      p,
    );

    const recorded = await ic().recordTimeout!(p, attestations, fabric.actors.relayer.signer);
    expect(recorded.events).toEqual([expect.objectContaining({ app: appB.appId, name: 'packet.timeout' })]);
    expect(Buffer.from(recorded.events[0]!.payload).toString()).toBe(packetId(p));
    expect(await ic().packetState(p, 'target')).toEqual({ side: 'target', state: 'timed-out', txId: recorded.txId });
    await refused(() => ic().deliver!(p, attestations, fabric.actors.relayer.signer), 'CONFLICT', /timed out/);
    await refused(() => ic().recordTimeout!(p, attestations, fabric.actors.relayer.signer), 'CONFLICT', /timed out/);
    expect(await fabric.org1.kv.get(appB, keyOf(p))).toBeNull();

    const ev = await ic().evidence(recorded.txId, { kind: 'timeout', packetId: packetId(p) });
    expect(await ic().verify(ev, trust)).toEqual({ state: 'proven', subject: { kind: 'timeout', packetId: packetId(p) }, packet: p });
    const timeoutAttestations = await attestAfterVerify(ev, 'timeout', packetCommitment(p));
    // An ack attestation cannot close it, nor a packet one.
    await refused(() => ic().closeTimedOut!(p, attestations, fabric.actors.relayer.signer), 'UNAUTHORIZED', /below threshold/);
    const closed = await ic().closeTimedOut!(p, timeoutAttestations, fabric.actors.relayer.signer);
    expect(closed.events).toEqual([expect.objectContaining({ app: appA.appId, name: 'packet.closed' })]);
    expect(await ic().packetState(p)).toEqual({ side: 'source', state: 'timed-out', txId: closed.txId });
    await refused(() => ic().closeTimedOut!(p, timeoutAttestations, fabric.actors.relayer.signer), 'CONFLICT', /already timed-out/);
    const fakeAck: Ack = { packetId: packetId(p), commitment: packetCommitment(p), status: 'OK', result: '' };
    await refused(
      () => ic().acknowledge!(p, fakeAck, signed('ack', ackCommitment(fakeAck)), fabric.actors.relayer.signer),
      'CONFLICT',
      /already timed-out/,
    );
  });

  test('the source refuses an ack for another packet, of a packet it never sent, or attested as something else', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const p = await emit();
    const { ack } = await ic().deliver!(p, packetAttested(p), fabric.actors.relayer.signer);
    const ackBy = (a: Ack) => signed('ack', ackCommitment(a));
    await refused(
      () => ic().acknowledge!(p, ack, signed('packet', ackCommitment(ack)), fabric.actors.relayer.signer),
      'UNAUTHORIZED',
      /below threshold/,
    );
    const lie: Ack = { ...ack, status: 'NOT_FOUND' };
    await refused(() => ic().acknowledge!(p, lie, ackBy(ack), fabric.actors.relayer.signer), 'UNAUTHORIZED', /below threshold/);
    const other = await emit();
    await refused(() => ic().acknowledge!(other, ack, ackBy(ack), fabric.actors.relayer.signer), 'INVALID_INPUT', /is for packet/);
    const never = { ...p, seq: p.seq + 1000 };
    await refused(
      () => ic().acknowledge!(never, { ...ack, packetId: packetId(never) }, ackBy(ack), fabric.actors.relayer.signer),
      'NOT_FOUND',
      /sent no packet/,
    );
    const altered = { ...p, payload: put('x', 'y') };
    await refused(() => ic().acknowledge!(altered, ack, ackBy(ack), fabric.actors.relayer.signer), 'INVALID_INPUT', /not the one sent/);
    expect(await ic().packetState(p, 'source')).toMatchObject({ side: 'source', state: 'sent' });
    // Without a side, a loopback packet answers with its furthest step: delivered on the target.
    expect(await ic().packetState(p)).toMatchObject({ side: 'target', state: 'delivered', ack });
    await ic().acknowledge!(p, ack, ackBy(ack), fabric.actors.relayer.signer);
  });
});

describe('races and the clock', () => {
  test('two relayers deliver one packet at once: one executes, the other is CONFLICT', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const p = await emit();
    const a = packetAttested(p);
    const results = await Promise.allSettled([0, 1].map(() => ic().deliver!(p, a, fabric.actors.relayer.signer)));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toMatchObject({ code: 'CONFLICT' });
    expect((await fabric.org1.kv.history(appB, keyOf(p))).length).toBe(1);
  });

  test('both endorsed before either commits: Fabric invalidates the later one (MVCC_READ_CONFLICT), the call ran once', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const gateway = await fabric.org1.parts.connection.gatewayFor(fabric.actors.relayer.signer);
    const contract = gateway.getNetwork(fabric.devnet.network.channel).getContract(fabric.devnet.network.chaincode!);
    try {
      const p = await emit();
      const args = [JSON.stringify(p), JSON.stringify(packetAttested(p))];
      const endorsed = await Promise.all([0, 1].map(() => contract.newProposal('BsnInterchain:deliver', { arguments: args }).endorse()));
      const codes = await Promise.all(endorsed.map(async (t) => (await (await t.submit()).getStatus()).code));
      expect([...codes].sort()).toEqual([0, 11]); // VALID, MVCC_READ_CONFLICT
      const winner = endorsed[codes.indexOf(0)]!.getTransactionId();
      expect(await ic().packetState(p, 'target')).toMatchObject({ state: 'delivered', txId: expect.any(String) });
      const history = await fabric.org1.kv.history(appB, keyOf(p));
      expect(history.map((h) => h.txId)).toHaveLength(1);
      expect([winner, endorsed[1 - codes.indexOf(0)]!.getTransactionId()]).toContain(history[0]!.txId);
    } finally {
      gateway.close();
    }
  });

  test('each endorser refuses a transaction whose timestamp is more than 30 s from its clock', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const p = await emit();
    const org = fabric.devnet.network.organizations[0]!;
    const client = peerGrpcClient(org.peers[0]!);
    const signer = fabricSigners.newPrivateKeySigner(createPrivateKey(org.user.privateKey));
    const gateway = connectGateway({
      client,
      identity: { mspId: org.mspId, credentials: Buffer.from(org.user.certificate) },
      signer,
      hash: fabricHash.sha256,
    });
    try {
      const contract = gateway.getNetwork(fabric.devnet.network.channel).getContract(fabric.devnet.network.chaincode!);
      const skewed = async (offsetMs: number) => {
        const proposal = contract.newProposal('BsnInterchain:deliver', {
          arguments: [JSON.stringify(p), JSON.stringify(packetAttested(p))],
        });
        const proposed = gatewayProtos.ProposedTransaction.deserializeBinary(proposal.getBytes());
        const signedProposal = proposed.getProposal()!;
        const inner = peer.Proposal.deserializeBinary(signedProposal.getProposalBytes_asU8());
        const header = common.Header.deserializeBinary(inner.getHeader_asU8());
        const channelHeader = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
        const at = Date.now() + offsetMs;
        channelHeader.getTimestamp()!.setSeconds(Math.floor(at / 1000));
        header.setChannelHeader(channelHeader.serializeBinary());
        inner.setHeader(header.serializeBinary());
        const bytes = inner.serializeBinary();
        signedProposal.setProposalBytes(bytes);
        signedProposal.setSignature(new Uint8Array());
        const signature = await signer(createHash('sha256').update(bytes).digest());
        return gateway.newSignedProposal(proposed.serializeBinary(), signature).endorse();
      };
      for (const offset of [-120_000, 120_000]) {
        const before = await height();
        const error = await skewed(offset).then(
          () => undefined,
          (e: unknown) => e as Error & { details?: Array<{ message: string }> },
        );
        expect(JSON.stringify(error?.details ?? error?.message)).toMatch(
          /REJECTED_BY_CHAIN.*more than 30000 ms from this endorser's clock/,
        );
        expect(await height()).toBe(before);
      }
      expect(await ic().packetState(p, 'target')).toEqual({ side: 'target', state: 'none' });
      // The same proposal built within the window is endorsed (never submitted here).
      await expect(skewed(-5_000)).resolves.toBeDefined();
    } finally {
      gateway.close();
      client.close();
    }
  });
});
