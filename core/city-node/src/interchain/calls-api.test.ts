/**
 * The interchain calls API through REST on a running node whose two networks are fake delivery
 * chains (the adapter boundary; the e2e in e2e/src/interchain runs it on real anvil chains): a
 * member's call is refused until both owners granted it, then sent, relayed by the node (its own
 * attestation counted by the chains) and followed to `acknowledged` — checked on the chains.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BsnClient, BsnGrpcClient, type InterchainCallJson } from '@bsn/client';
import { encodePacketCall, toBase64 } from '@bsn/contract';
import { CityNode } from '../city-node.js';
import { resolveNodeConfig } from '../config.js';
import type { ConnectedNetwork } from '../networks.js';
import { memoryNetwork, newKey, silentLogger } from '../testing/test-node.js';
import { deliveryWorld } from './__fixtures__/delivery-world.js';
import type { FakeDeliveryChain } from './__fixtures__/fake-delivery-chain.js';

const world = deliveryWorld();
const alice = newKey('secp256r1');
const mallory = newKey('secp256k1');
let node: CityNode;
let dataDir: string;
let client: BsnClient;

/** A memory network whose interchain members are a fake delivery chain's. */
function withChain(name: string, chain: FakeDeliveryChain): ConnectedNetwork {
  const n = memoryNetwork(name);
  return { ...n, adapter: Object.assign(Object.create(n.adapter), { interchain: chain.interchain }) };
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'calls-api-'));
  const base = memoryNetwork('fake-verifier');
  const verifier = {
    ...base,
    framework: 'fake',
    adapter: Object.assign(Object.create(base.adapter), { interchain: world.network(true).adapter.interchain }),
  };
  const config = resolveNodeConfig(
    {
      node: { name: 'node-1', dataDir },
      listen: { restPort: 0, grpcPort: 0 },
      keys: { scryptN: 1024 },
      portals: [
        { code: 'p1', users: [{ code: 'alice', algorithm: 'secp256r1', publicKey: alice.publicKey, role: 'admin' }] },
        { code: 'p2', users: [{ code: 'mallory', algorithm: 'secp256k1', publicKey: mallory.publicKey }] },
      ],
      interchain: { chains: world.pinnedRoots, relay: { enabled: true, pollMs: 100, threshold: 1 } },
    },
    dataDir,
  );
  node = await CityNode.start({
    config,
    passphrase: 'test passphrase',
    logger: silentLogger,
    networks: [withChain('chain-a', world.a), withChain('chain-b', world.b), verifier],
  });
  // The chains pin this node's attester alone (t = 1 of 1).
  world.a.pinned = world.b.pinned = { publicKeys: [node.interchain!.attester.publicKey], threshold: 1 };
  client = new BsnClient({ baseUrl: node.restUrl, user: 'alice', algorithm: 'secp256r1', privateKey: alice.privateKey });
  await client.createApp({ code: 'source', network: 'chain-a' });
  await client.createApp({ code: 'target', network: 'chain-b' });
});
afterAll(async () => {
  await node?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const putCall = (key: string, value: string) => ({
  dstChain: 'chain-b',
  dstApp: 'target',
  method: 'kv.put',
  payload: toBase64(encodePacketCall({ method: 'kv.put', key, value: new TextEncoder().encode(value) })),
  timeout: Date.now() + 60_000,
});

async function until(app: string, id: string, state: InterchainCallJson['state']): Promise<InterchainCallJson> {
  for (let i = 0; i < 100; i++) {
    const call = await client.getCall(app, id);
    if (call.state === state) return call;
    await new Promise((r) => setTimeout(r, 50));
  }
  return client.getCall(app, id);
}

describe('interchain calls over REST', () => {
  it('refuses a call until both owners granted it; nothing is sent', async () => {
    await expect(client.sendCall('source', putCall('k', 'v'))).rejects.toMatchObject({ code: 'UNAUTHORIZED', reason: 'not-granted' });
    await client.grant('source', 'target', 'outgoing', ['kv.put']);
    await expect(client.sendCall('source', putCall('k', 'v'))).rejects.toMatchObject({ reason: 'not-granted' });
    expect(world.a.sent.size).toBe(0);
  });

  it('sends a granted call, relays it, and reports it delivered then acknowledged, as the chains record it', async () => {
    await client.grant('target', 'source', 'incoming', ['kv.put']);
    const sent = await client.sendCall('source', putCall('greeting', 'hello'));
    expect(sent.state).toBe('sent');
    expect(sent.txs.send).toBeTruthy();
    const done = await until('source', sent.packetId, 'acknowledged');
    expect(done.state).toBe('acknowledged');
    expect(done.ack?.status).toBe('OK');
    expect(done.evidence.packet).toMatch(/^chain-a\//);
    expect(done.evidence.ack).toMatch(/^chain-b\//);
    // The chains themselves:
    expect(world.b.kv.get('greeting')).toBe('hello');
    expect(world.b.received.get(sent.packetId)?.txId).toBe(done.txs.deliver);
    expect(world.a.sent.get(sent.packetId)?.state).toBe('acknowledged');
    expect(world.b.executions).toBe(1);
    expect((await client.listCalls('source')).map((c) => c.packetId)).toContain(sent.packetId);
  });

  it('names the bad field of a call, and hides calls from users of other portals', async () => {
    await expect(client.sendCall('source', { ...putCall('k', 'v'), timeout: Date.now() - 1 })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      field: '/timeout',
    });
    await expect(client.sendCall('source', { ...putCall('k', 'v'), dstChain: 'Chain B' })).rejects.toMatchObject({ field: '/dstChain' });
    await expect(client.sendCall('source', { ...putCall('k', 'v'), dstChain: 'chain-a' })).rejects.toMatchObject({ field: '/dstChain' });
    const [call] = await client.listCalls('source');
    const other = new BsnClient({ baseUrl: node.restUrl, user: 'mallory', algorithm: 'secp256k1', privateKey: mallory.privateKey });
    await expect(other.getCall('source', call!.packetId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('gRPC mirrors it: SendCall, GetCall and ListCalls answer the calls REST reports', async () => {
    const grpc = new BsnGrpcClient({ address: node.grpcAddress, user: 'alice', algorithm: 'secp256r1', privateKey: alice.privateKey });
    try {
      const sent = (await grpc.sendCall('source', putCall('over-grpc', 'yes'))) as { packetId: string; state: string; callJson: string };
      expect(sent.state).toBe('sent');
      expect(JSON.parse(sent.callJson)).toMatchObject({ packetId: sent.packetId, state: 'sent' });
      await until('source', sent.packetId, 'acknowledged');
      const got = (await grpc.getCall('source', sent.packetId)) as { state: string; callJson: string };
      expect(got.state).toBe('acknowledged');
      expect(JSON.parse(got.callJson)).toEqual(await client.getCall('source', sent.packetId));
      const listed = (await grpc.listCalls('source')) as { calls: Array<{ packetId: string }> };
      expect(listed.calls.map((c) => c.packetId)).toContain(sent.packetId);
      expect(world.b.kv.get('over-grpc')).toBe('yes');
      await expect(grpc.sendCall('source', { ...putCall('k', 'v'), timeout: 1 })).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        field: '/timeout',
      });
    } finally {
      grpc.close();
    }
  });
});
