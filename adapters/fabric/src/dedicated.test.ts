// Dedicated placement on the real devnet: a channel per app, created by the adapter itself
// (genesis block, orderer participation API, cscc JoinChain, _lifecycle), then used through
// both orgs exactly like a shared app.
import { describe, expect, test } from 'vitest';
import { isBsnError, packetId, type AppSpec, type ChainEvent } from '@bsn/contract';
import { bytes, takeEvents, text, unique } from '@bsn/contract/testing';
import type { FabricAdapter } from './adapter.js';
import { dedicatedChannelName } from './channels/names.js';
import { OrdererAdmin } from './channels/orderer-admin.js';
import { PeerClient } from './channels/peer-client.js';
import { peerChannels } from './channels/peer-join.js';
import { provisioningConfig } from './channels/provisioning-config.js';
import { signingIdentity } from './channels/signing-identity.js';
import type { FabricNetworkConfig } from './config.js';
import { actor, connect, refusal, useFabricNetwork } from './__fixtures__/network.js';

const fabric = useFabricNetwork({ org2: true, actors: ['admin'] });

const spec = (appId: string, placement: AppSpec['placement'] = 'dedicated', members: AppSpec['members'] = []): AppSpec => ({
  appId,
  name: 'dedicated',
  framework: 'fabric',
  mode: 'consortium',
  placement,
  contract: { kind: 'preset-kv' },
  members,
});

/** A copy of the devnet's config with one org's section changed. */
function withOrg(index: number, change: (org: Record<string, unknown>) => void): FabricNetworkConfig {
  const network = structuredClone(fabric.devnet.network) as unknown as FabricNetworkConfig;
  change(network.organizations[index] as Record<string, unknown>);
  return network;
}

async function where(channel: string): Promise<{ orderer: boolean; peers: Record<string, boolean> }> {
  const network = provisioningConfig(fabric.devnet.network as unknown as Record<string, unknown>, 'bsn-preset-kv');
  const orderer = (await new OrdererAdmin(network.orderer).channel(channel, Date.now() + 10_000)) !== undefined;
  const peers: Record<string, boolean> = {};
  for (const org of network.orgs) {
    const client = new PeerClient(org.peer);
    try {
      peers[org.mspId] = (await peerChannels(client, signingIdentity(org.mspId, org.admin), Date.now() + 10_000)).includes(channel);
    } finally {
      client.close();
    }
  }
  return { orderer, peers };
}

const collect = (adapter: FabricAdapter, appId: string, count: number, ms = 15_000): Promise<ChainEvent[]> =>
  takeEvents(adapter.gateway, { app: { appId } }, count, ms);

describe('dedicated placement on Fabric (one channel per app)', () => {
  test('missing admin material is refused naming the network-config field, before anything is created', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const appId = unique('ded-noadmin');
    const noAdmin = await connect(
      fabric.devnet,
      withOrg(1, (o) => {
        delete o.admin;
      }),
    );
    try {
      expect(await refusal(noAdmin.lifecycle.create(spec(appId), fabric.actors.admin.signer))).toBe('UNAVAILABLE /organizations/1/admin');
    } finally {
      await noAdmin.close();
    }
    const noOrdererApi = await connect(fabric.devnet, {
      orderer: { ...fabric.devnet.network.orderer, adminEndpoint: undefined },
    } as unknown as Partial<FabricNetworkConfig>);
    try {
      expect(await refusal(noOrdererApi.lifecycle.create(spec(appId), fabric.actors.admin.signer))).toBe(
        'UNAVAILABLE /orderer/adminEndpoint',
      );
    } finally {
      await noOrdererApi.close();
    }
    expect(await refusal(fabric.org1.lifecycle.get({ appId }))).toBe('NOT_FOUND');
    expect((await where(dedicatedChannelName(appId))).orderer).toBe(false);
  });

  test('a dedicated app gets its own channel on the orderer and both peers, and works through both orgs', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const partner = await actor(fabric.org2);
    const appId = unique('ded');
    const started = performance.now();
    const app = await fabric.org1.lifecycle.create(spec(appId, 'dedicated', [partner.account]), fabric.actors.admin.signer);
    const took = Math.round(performance.now() - started);
    console.info(`dedicated create took ${took} ms; provisioning steps: ${JSON.stringify(fabric.org1.lifecycle.lastProvision?.ms)}`);
    const channel = dedicatedChannelName(appId);
    expect(app.placement).toBe('dedicated');
    expect(app.location).toMatchObject({ channel, chaincode: 'bsn-preset-kv' });
    expect(app.members).toEqual([fabric.actors.admin.account.id, partner.account.id]);
    expect(await where(channel)).toEqual({ orderer: true, peers: { Org1MSP: true, Org2MSP: true } });

    const shared = await fabric.org1.lifecycle.create(spec(unique('shr'), 'shared'), fabric.actors.admin.signer);
    expect(shared.location.channel).toBe(fabric.devnet.network.channel);
    expect(shared.location.channel).not.toBe(app.location.channel);

    // Another adapter instance finds the app through the shared channel's directory.
    expect((await fabric.org2.lifecycle.get({ appId })).location.channel).toBe(channel);

    const r1 = await fabric.org1.kv.put(
      { app: { appId }, requestId: unique('r'), key: 'k', value: bytes('one') },
      fabric.actors.admin.signer,
    );
    const r2 = await fabric.org2.kv.put({ app: { appId }, requestId: unique('r'), key: 'k', value: bytes('two') }, partner.signer);
    expect(text((await fabric.org1.kv.get({ appId }, 'k'))!.value)).toBe('two');
    expect((await fabric.org2.kv.history({ appId }, 'k')).map((h) => text(h.value!))).toEqual(['one', 'two']);
    expect((await fabric.org1.kv.list({ appId }, '')).entries.map((e) => e.key)).toEqual(['k']);
    const events = await collect(fabric.org2, appId, 2);
    expect(events.map((e) => [e.name, e.txId])).toEqual([
      ['kv.put', r1.txId],
      ['kv.put', r2.txId],
    ]);

    // The same key in a shared app is another value; the dedicated app's data is not on the shared channel.
    await fabric.org1.kv.put(
      { app: { appId: shared.appId }, requestId: unique('r'), key: 'k', value: bytes('shared') },
      fabric.actors.admin.signer,
    );
    expect(text((await fabric.org1.kv.get({ appId: shared.appId }, 'k'))!.value)).toBe('shared');
    expect(text((await fabric.org1.kv.get({ appId }, 'k'))!.value)).toBe('two');

    // Look-ups by scope find the receipt's block and transaction on the app's channel.
    for (const adapter of [fabric.org1, fabric.org2]) {
      const block = await adapter.gateway.block(r2.block.number, { appId });
      expect(block.hash).toBe(r2.block.hash);
      expect(block.txIds).toContain(r2.txId);
      const tx = await adapter.gateway.transaction(r2.txId, { appId });
      expect(tx).toMatchObject({ txId: r2.txId, block: r2.block, valid: true, app: appId, method: 'put' });
    }
    expect(await refusal(fabric.org1.gateway.transaction(r2.txId))).toBe('NOT_FOUND');
    expect(await refusal(fabric.org1.gateway.block(0, { appId: 'no-such-app-x' }))).toBe('NOT_FOUND /scope');

    // Membership and freezing live on the app's channel too.
    await fabric.org1.lifecycle.freeze({ appId }, fabric.actors.admin.signer);
    expect(await refusal(fabric.org2.kv.put({ app: { appId }, requestId: unique('r'), key: 'k', value: bytes('x') }, partner.signer))).toBe(
      'UNAUTHORIZED',
    );
    await fabric.org1.lifecycle.unfreeze({ appId }, fabric.actors.admin.signer);

    // Packets go out on the app's channel; their evidence verifies against roots pinning that channel.
    const sent = await fabric.org1.interchain.emit(
      { appId },
      {
        dstChain: 'peer-chain',
        dstApp: 'target-app',
        method: 'ping',
        payload: Buffer.from('hi').toString('base64'),
        timeout: Date.now() + 3_600_000,
        grantRef: unique('grant'),
      },
      fabric.actors.admin.signer,
    );
    const subject = { kind: 'packet' as const, packetId: packetId(sent.packet) };
    const evidence = await fabric.org2.interchain.evidence(sent.receipt.txId, subject, { appId });
    expect((await fabric.org1.interchain.evidence(sent.receipt.txId, subject)).blockHash).toBe(evidence.blockHash);
    expect(await fabric.org1.interchain.verify(evidence, await fabric.org1.interchain.trustRootsFor({ appId }))).toMatchObject({
      state: 'proven',
    });
    // The network's roots cover every dedicated app's channel; the shared channel's alone do not.
    expect(await fabric.org1.interchain.verify(evidence, await fabric.org1.interchain.trustRoots())).toMatchObject({ state: 'proven' });
    expect(await fabric.org1.interchain.verify(evidence, await fabric.org1.router.shared.interchain.trustRoots())).toMatchObject({
      state: 'rejected',
    });

    // Same id again, whatever the placement: CONFLICT, nothing new.
    expect(await refusal(fabric.org1.lifecycle.create(spec(appId), fabric.actors.admin.signer))).toBe('CONFLICT /appId');
    expect(await refusal(fabric.org2.lifecycle.create(spec(appId), partner.signer))).toBe('CONFLICT /appId');
    expect(await refusal(fabric.org1.lifecycle.create(spec(appId, 'shared'), fabric.actors.admin.signer))).toBe('CONFLICT');
    expect(await refusal(fabric.org1.lifecycle.create(spec(shared.appId), fabric.actors.admin.signer))).toBe('CONFLICT /appId');
  }, 240_000);

  test('a create that fails mid-way (Org2 admin wrong: its peer refuses to join) leaves no app, and the same create completes it', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const appId = unique('ded-retry');
    const channel = dedicatedChannelName(appId);
    const wrong = await connect(
      fabric.devnet,
      withOrg(1, (o) => {
        o.admin = o.user;
      }),
    );
    try {
      const failed = await wrong.lifecycle.create(spec(appId), fabric.actors.admin.signer).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isBsnError(failed) ? failed.code : String(failed)).toBe('UNAUTHORIZED');
    } finally {
      await wrong.close();
    }
    expect(await where(channel)).toEqual({ orderer: true, peers: { Org1MSP: true, Org2MSP: false } });
    expect(await refusal(fabric.org1.lifecycle.get({ appId }))).toBe('NOT_FOUND');
    expect(
      await refusal(
        fabric.org1.kv.put({ app: { appId }, requestId: unique('r'), key: 'k', value: bytes('x') }, fabric.actors.admin.signer),
      ),
    ).toBe('NOT_FOUND');
    // The id is reserved for its admin: somebody else cannot take it over.
    const other = await actor(fabric.org1);
    expect(await refusal(fabric.org1.lifecycle.create(spec(appId), other.signer))).toBe('CONFLICT /appId');

    const app = await fabric.org1.lifecycle.create(spec(appId), fabric.actors.admin.signer);
    expect(app).toMatchObject({ appId, placement: 'dedicated', location: { channel } });
    expect(fabric.org1.lifecycle.lastProvision).toMatchObject({
      genesis: 'from-peer',
      orderer: 'already',
      peers: { Org1MSP: 'already', Org2MSP: 'joined' },
      commit: 'committed',
    });
    expect(await where(channel)).toEqual({ orderer: true, peers: { Org1MSP: true, Org2MSP: true } });
    const receipt = await fabric.org1.kv.put(
      { app: { appId }, requestId: unique('r'), key: 'k', value: bytes('after retry') },
      fabric.actors.admin.signer,
    );
    expect((await fabric.org2.gateway.transaction(receipt.txId, { appId })).valid).toBe(true);
  }, 240_000);

  test("a create that fails at the approvals (Org1 approved, Org2's package not installed) leaves no app, and the same create with the right package completes it", async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const appId = unique('ded-pkg');
    const network = structuredClone(fabric.devnet.network) as unknown as FabricNetworkConfig;
    const definition = (network.chaincodes as Array<Record<string, unknown>>).find((d) => d.name === 'bsn-preset-kv')!;
    definition.packageIds = { Org2MSP: `bsn-preset-kv_1:${'0'.repeat(64)}` };
    const wrong = await connect(fabric.devnet, network);
    try {
      expect(await refusal(wrong.lifecycle.create(spec(appId), fabric.actors.admin.signer))).toBe(
        'UNAVAILABLE /chaincodes/0/packageIds/Org2MSP',
      );
    } finally {
      await wrong.close();
    }
    expect(await refusal(fabric.org1.lifecycle.get({ appId }))).toBe('NOT_FOUND');
    const app = await fabric.org1.lifecycle.create(spec(appId), fabric.actors.admin.signer);
    expect(app.location.channel).toBe(dedicatedChannelName(appId));
    expect(fabric.org1.lifecycle.lastProvision).toMatchObject({
      genesis: 'from-peer',
      orderer: 'already',
      peers: { Org1MSP: 'already', Org2MSP: 'already' },
      approvals: { Org1MSP: 'already', Org2MSP: 'approved' },
      commit: 'committed',
    });
    const receipt = await fabric.org1.kv.put(
      { app: { appId }, requestId: unique('r'), key: 'k', value: bytes('v') },
      fabric.actors.admin.signer,
    );
    expect((await fabric.org2.gateway.transaction(receipt.txId, { appId })).valid).toBe(true);
  }, 240_000);
});
