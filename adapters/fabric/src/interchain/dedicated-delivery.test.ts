// Interchain delivery for apps on dedicated channels (#15), on the real two-org devnet: each
// channel keeps its own attesters, configured only by an admin of a member org of the app it
// serves; a loopback between a shared app S and a dedicated app D both ways (delivered once,
// acked, each evidence proven with the one set of roots a city node pins for the chain); forged
// and short attestations refused on D's channel with nothing written, read from the peers.
import { createPrivateKey } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import { connect as connectGateway, hash, signers, type Gateway } from '@hyperledger/fabric-gateway';
import {
  ackCommitment,
  attestInterchain,
  attesterPublicKey,
  encodePacketCall,
  generatePrivateKey,
  packetCommitment,
  packetId,
  privateKeySigner,
  type AppInfo,
  type AppSpec,
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
import { dedicatedChannelName } from '../channels/names.js';
import { peerGrpcClient } from '../peer-grpc.js';
import { actor, failure, useFabricNetwork, type Actor } from '../__fixtures__/network.js';

const fabric = useFabricNetwork({ org2: true, actors: ['owner', 'member', 'relayer'] });

const keys = (n: number) => Array.from({ length: n }, () => generatePrivateKey('secp256k1'));
const sharedKeys = keys(3);
const dedicatedKeys = keys(3);
const pinning = (k: Uint8Array[]) => ({ publicKeys: k.map((x) => attesterPublicKey(x)), threshold: 2 });
const CALLABLE = ['kv.put', 'kv.get', 'kv.delete'];

let chain: string;
let trust: TrustRoots;
let org1Admin: Signer;
let org2Admin: Signer;
let partner: Actor;
/** S: shared; D: dedicated, members of Org1 only; E: dedicated with an Org2 member. */
let appS: AppInfo;
let appD: AppInfo;
let appE: AppInfo;

function keySigner(pem: string): Signer {
  const d = createPrivateKey(pem).export({ format: 'jwk' }).d!;
  return privateKeySigner('secp256r1', new Uint8Array(Buffer.from(d, 'base64url')));
}

const spec = (prefix: string, placement: AppSpec['placement'], members: Actor[]): AppSpec => ({
  appId: unique(prefix),
  name: 'interchain app',
  framework: 'fabric',
  mode: 'consortium',
  placement,
  contract: { kind: 'preset-kv' },
  members: members.map((m) => m.account),
});

const grant = (app: AppInfo, direction: ChainGrant['direction'], peer: AppInfo) =>
  fabric.org1.interchain.setGrant(
    app,
    { direction, peerChain: chain, peerApp: peer.appId, ref: 'grant-sd', methods: CALLABLE, expiresAt: 0, revoked: false },
    fabric.actors.owner.signer,
  );

const put = (key: string, value: string) =>
  Buffer.from(encodePacketCall({ method: 'kv.put', key, value: Buffer.from(value) })).toString('base64');
const input = (to: AppInfo, key = unique('k'), value = 'v'): PacketInput => ({
  dstChain: chain,
  dstApp: to.appId,
  method: 'kv.put',
  payload: put(key, value),
  timeout: Date.now() + 600_000,
  grantRef: 'grant-sd',
});
const signed = (kind: AttestedKind, commitment: string, by: Uint8Array[]) => by.map((k) => attestInterchain(kind, commitment, k));

const ic = () => fabric.org1.interchain;

/** What a city node does: verify against the chain's pinned roots, and only then sign. */
async function attested(evidence: Evidence, kind: AttestedKind, commitment: string, by: Uint8Array[]) {
  const v = await ic().verify(evidence, trust);
  expect(v.state, v.state === 'rejected' ? v.reason : '').toBe('proven');
  return signed(kind, commitment, by);
}

/** A connection of its own to one org's peer, as `mspId`'s identity `who` (not through the adapter). */
function peerSession(org: number, who: { mspId: string; certificate: string; privateKey: string }) {
  const client = peerGrpcClient(fabric.devnet.network.organizations[org]!.peers[0]!);
  const gateway = connectGateway({
    client,
    identity: { mspId: who.mspId, credentials: Buffer.from(who.certificate) },
    signer: signers.newPrivateKeySigner(createPrivateKey(who.privateKey)),
    hash: hash.sha256,
    evaluateOptions: () => ({ deadline: Date.now() + 15_000 }),
  });
  return {
    gateway,
    close: () => (gateway.close(), client.close()),
  };
}

/** The delivery configuration and height of `app`'s channel, as Org2's own peer answers (its client user). */
async function onPeer(app: AppInfo): Promise<{ config: unknown; height: number }> {
  const org = fabric.devnet.network.organizations[1]!;
  const s = peerSession(1, { mspId: org.mspId, ...org.user });
  try {
    const network = s.gateway.getNetwork(app.location.channel!);
    const config = JSON.parse(
      Buffer.from(
        await network.getContract(fabric.devnet.network.chaincode!).evaluateTransaction('BsnInterchain:deliveryConfig'),
      ).toString(),
    ) as unknown;
    const info = await network.getContract('qscc').evaluateTransaction('GetChainInfo', app.location.channel!);
    const { common } = await import('@hyperledger/fabric-protos');
    return { config, height: Number(common.BlockchainInfo.deserializeBinary(info).getHeight()) };
  } finally {
    s.close();
  }
}

/** A configuration attempt refused with a typed UNAUTHORIZED, after which `app`'s channel is as it was. */
async function configureRefused(app: AppInfo, attempt: () => Promise<unknown>, message: RegExp) {
  const before = await onPeer(app);
  const error = await failure(attempt());
  expect({ code: error.code, message: error.message }).toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringMatching(message) });
  expect(await onPeer(app), 'the configuration and the height of the channel, from Org2’s peer').toEqual(before);
}

beforeAll(async () => {
  if (fabric.skipped) return;
  chain = fabric.devnet.network.name;
  const orgs = fabric.devnet.network.organizations;
  org1Admin = keySigner(orgs[0]!.admin.privateKey);
  org2Admin = keySigner(orgs[1]!.admin.privateKey);
  partner = await actor(fabric.org2);
  const { owner, member } = fabric.actors;
  const started = performance.now();
  // One after the other: each dedicated create elects a Raft leader for its new channel.
  appS = await fabric.org1.lifecycle.create(spec('ic-s', 'shared', [member]), owner.signer);
  appD = await fabric.org1.lifecycle.create(spec('ic-d', 'dedicated', [member]), owner.signer);
  appE = await fabric.org1.lifecycle.create(spec('ic-e', 'dedicated', [partner]), owner.signer);
  console.info(`three apps (two dedicated channels) created in ${Math.round(performance.now() - started)} ms`);
  trust = await ic().trustRoots();
  await ic().configureDelivery!(pinning(sharedKeys), org1Admin);
  await ic().configureDelivery!(pinning(dedicatedKeys), org1Admin, appD);
  await Promise.all([
    grant(appS, 'outgoing', appD),
    grant(appD, 'incoming', appS),
    grant(appD, 'outgoing', appS),
    grant(appS, 'incoming', appD),
  ]);
}, 240_000);

describe('who configures a dedicated channel’s delivery', () => {
  test('the orderer org’s admin, another app’s org admin and a plain client are refused; the config on the ledger is unchanged', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    expect(appD.location.channel).toBe(dedicatedChannelName(appD.appId));
    const mine = pinning(dedicatedKeys);
    expect((await onPeer(appD)).config).toMatchObject({ chain, ...mine });
    // What each attacker would pin: its own key alone, which would let it deliver anything.
    const own = { publicKeys: [attesterPublicKey(generatePrivateKey('secp256k1'))], threshold: 1 };

    // The orderer org's admin (its real certificate, OU=admin), straight to a peer: on D's channel
    // and on the shared one. Fabric refuses its proposal (peer/Propose is the Application Writers).
    const orderer = fabric.devnet.network.orderer;
    const session = peerSession(0, { mspId: orderer.mspId, ...orderer.admin });
    try {
      for (const app of [appD, appS]) {
        await configureRefused(
          app,
          () => asIdentity(session.gateway, app, [chain, JSON.stringify(own)]),
          /Fabric refused the caller: .*policy \[\/Channel\/Application\/Writers\]/,
        );
      }
    } finally {
      session.close();
    }
    // Org2's admin: Org2 is on D's channel (copied from the shared one) but holds no member of D.
    await configureRefused(
      appD,
      () => fabric.org2.interchain.configureDelivery!(own, org2Admin, appD),
      /only an admin of a member org of app .* Org2MSP holds no member of it/,
    );
    // The same admin straight to the chaincode, past the adapter: the chaincode refuses.
    const org2 = fabric.devnet.network.organizations[1]!;
    const direct = peerSession(1, { mspId: org2.mspId, ...org2.admin });
    const squatter = peerSession(1, { mspId: org2.mspId, ...org2.user });
    try {
      await configureRefused(appD, () => asIdentity(direct.gateway, appD, [chain, JSON.stringify(own)]), /Org2MSP holds no member of it/);
      // An Org2 client writes an app of its own onto D's channel, claiming to be dedicated there:
      // its id does not hash to the channel's name, so it gives Org2 no say over D's delivery.
      const squat = {
        appId: unique('squat'),
        name: 'squat',
        mode: 'consortium',
        placement: 'dedicated',
        channel: appD.location.channel,
        members: [],
      };
      await asIdentity(squatter.gateway, appD, [JSON.stringify(squat)], 'createApp');
      await configureRefused(
        appD,
        () => asIdentity(direct.gateway, appD, [chain, JSON.stringify(own)]),
        new RegExp(`member org of app ${appD.appId} \\(Org1MSP\\) configures its channel.s delivery; Org2MSP holds no member of it`),
      );
    } finally {
      direct.close();
      squatter.close();
    }
    // D's own admin and member are plain clients (OU=client): not org admins.
    for (const who of [fabric.actors.owner, fabric.actors.member]) {
      await configureRefused(
        appD,
        () => fabric.org1.interchain.configureDelivery!(own, who.signer, appD),
        /only an admin of a member org \(OU=admin\)/,
      );
    }
    expect((await onPeer(appD)).config).toMatchObject({ chain, ...mine });

    // The control: Org2's admin configures E, which has an Org2 member; read from Org2's peer.
    const receipt = await fabric.org2.interchain.configureDelivery!(mine, org2Admin, appE);
    expect((await onPeer(appE)).config).toEqual({ chain, ...mine, tx: receipt.txId });
    expect(receipt.block.number).toBe((await onPeer(appE)).height - 1);
  });
});

/** `fn` (configureDelivery by default) on `app`'s channel as the gateway's own identity, typed as the adapter types it. */
async function asIdentity(gateway: Gateway, app: AppInfo, args: string[], fn = 'BsnInterchain:configureDelivery') {
  const parts = fabric.org1.router.on(app.location.channel!);
  return parts.transactor.transact(gateway, fn, args, {
    what: `${fn} as another identity`,
    deadline: Date.now() + 30_000,
  });
}

describe('a dedicated app as target and as source', () => {
  test('S → D and D → S: each delivered once, acked, every evidence proven with the chain’s one set of roots', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const relayer = fabric.actors.relayer.signer;
    for (const [from, to, targetKeys, sourceKeys] of [
      [appS, appD, dedicatedKeys, sharedKeys],
      [appD, appS, sharedKeys, dedicatedKeys],
    ] as const) {
      const key = unique('greeting');
      const sent = await ic().emit(from, input(to, key, `hello from ${from.appId}`), fabric.actors.member.signer);
      const packet = sent.packet;
      const id = packetId(packet);
      const evidence = await ic().evidence(sent.receipt.txId, { kind: 'packet', packetId: id }, from);
      const { receipt, ack } = await ic().deliver!(
        packet,
        await attested(evidence, 'packet', packetCommitment(packet), targetKeys.slice(0, 2)),
        relayer,
      );
      expect(ack).toEqual({ packetId: id, commitment: packetCommitment(packet), status: 'OK', result: '' });
      // Written on the target's own channel, as Org2's peer holds it.
      const entry = await fabric.org2.kv.get(to, key);
      expect(Buffer.from(entry!.value).toString()).toBe(`hello from ${from.appId}`);
      expect(entry!.txId).toBe(receipt.txId);
      expect((await fabric.org2.gateway.transaction(receipt.txId, to)).valid).toBe(true);

      const ackEvidence = await ic().evidence(receipt.txId, { kind: 'ack', packetId: id }, to);
      expect(await ic().verify(ackEvidence, trust)).toEqual({ state: 'proven', subject: { kind: 'ack', packetId: id }, packet, ack });
      const acked = await ic().acknowledge!(
        packet,
        ack,
        await attested(ackEvidence, 'ack', ackCommitment(ack), sourceKeys.slice(1)),
        relayer,
      );
      expect(acked.events).toEqual([expect.objectContaining({ app: from.appId, name: 'packet.acknowledged' })]);
      expect(await fabric.org2.interchain.packetState!(packet, 'source')).toEqual({
        side: 'source',
        state: 'acknowledged',
        ack,
        txId: acked.txId,
      });
      expect(await fabric.org2.interchain.packetState!(packet, 'target')).toEqual({
        side: 'target',
        state: 'delivered',
        ack,
        txId: receipt.txId,
      });

      // Replayed: CONFLICT, the value written once.
      const again = await failure(ic().deliver!(packet, signed('packet', packetCommitment(packet), targetKeys.slice(1)), relayer));
      expect(again).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/already delivered/) });
      expect((await fabric.org1.kv.history(to, key)).length).toBe(1);

      // D's evidence is proven only on D's own channel: not by roots of the shared channel alone,
      // nor of E's channel, nor once it claims to be about another app.
      const dEvidence = from === appD ? evidence : ackEvidence;
      const reason = async (e: Evidence, roots: TrustRoots) => {
        const v = await ic().verify(e, roots);
        return v.state === 'rejected' ? v.reason : 'proven';
      };
      const sharedOnly = await fabric.org1.router.shared.interchain.trustRoots();
      expect(await reason(dEvidence, sharedOnly)).toMatch(/is on channel "app-[0-9a-f]{40}", the roots pin [a-z0-9.-]+$/);
      expect(await reason(dEvidence, await ic().trustRootsFor(appE))).toMatch(/the roots pin app-/);
      const p = (dEvidence.proof as { packet: Packet }).packet;
      const elsewhere = from === appD ? { ...p, srcApp: appE.appId } : { ...p, dstApp: appE.appId };
      expect(await reason({ ...dEvidence, proof: { ...dEvidence.proof, packet: elsewhere } }, trust)).toMatch(
        /or the dedicated channel of/,
      );
    }
  });
});

describe('refused deliveries into a dedicated app change nothing on its channel', () => {
  test('unpinned signers, below threshold, one signer twice, the shared channel’s attesters, the wrong kind', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const key = unique('untouched');
    const p = (await ic().emit(appS, input(appD, key, 'forged?'), fabric.actors.member.signer)).packet;
    const c = packetCommitment(p);
    const relay = (a: InterchainAttestation[]) => () => ic().deliver!(p, a, fabric.actors.relayer.signer);
    const [stranger] = keys(1);
    const cases: Array<[string, InterchainAttestation[], RegExp]> = [
      ['unpinned signers', signed('packet', c, keys(2)), /below threshold: 0 of the 2/],
      ['one of two', signed('packet', c, dedicatedKeys.slice(0, 1)), /below threshold: 1 of the 2/],
      ['one signer twice', signed('packet', c, [dedicatedKeys[0]!, dedicatedKeys[0]!]), /1 of the 2/],
      ['a pinned and an unpinned signer', signed('packet', c, [dedicatedKeys[0]!, stranger!]), /1 of the 2/],
      // Pinned on the shared channel, not on D's: D's channel counts its own attesters only.
      ['the shared channel’s attesters', signed('packet', c, sharedKeys.slice(0, 2)), /below threshold: 0 of the 2/],
      ['ack attestations', signed('ack', c, dedicatedKeys.slice(0, 2)), /below threshold: 0/],
      ['none', [], /below threshold/],
    ];
    for (const [what, attestations, message] of cases) {
      const before = await onPeer(appD);
      const error = await failure(relay(attestations)());
      expect({ what, code: error.code, message: error.message }).toMatchObject({
        what,
        code: 'UNAUTHORIZED',
        message: expect.stringMatching(message),
      });
      expect(await onPeer(appD), `${what}: D's channel`).toEqual(before);
      expect(await fabric.org2.interchain.packetState!(p, 'target'), what).toEqual({ side: 'target', state: 'none' });
      expect(await fabric.org2.kv.get(appD, key), what).toBeNull();
    }
    // Honest attestations of D's attesters deliver it afterwards, once.
    expect((await relay(signed('packet', c, dedicatedKeys.slice(1)))()).ack.status).toBe('OK');
    expect((await fabric.org2.kv.history(appD, key)).length).toBe(1);
  });
});
