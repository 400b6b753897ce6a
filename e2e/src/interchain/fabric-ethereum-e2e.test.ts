/**
 * Fabric ↔ Ethereum end to end through REST, on a real Fabric devnet (orderer + two peer orgs as
 * processes) and a real anvil chain, with three city nodes (attesters, t = 2; node 1 relays) — the
 * fleet `bsn interchain demo` runs on, with certified copies of both plugins. An app on each chain,
 * granted both ways by both owners. Each call is checked on both chains by reading them, not a
 * node's registry: the test's own adapters (connected by the fleet from the plugins, outside any
 * node) and, for anvil, raw JSON-RPC.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDemoFleet, createGrantedApps, DEMO_APPS, type DemoFleet } from '@bsn/cli';
import { PeerClient } from '@bsn/city-node';
import { NodeResponseError, type BsnClient, type InterchainCallJson } from '@bsn/client';
import { encodePacketCall, toBase64, type Packet, type PacketCall } from '@bsn/contract';
import { presetDevnet } from '@bsn/adapter-fabric/devnets';
import { FIXTURE_SUITES, ROOT, certifiedCopy, e2eSkipReason } from '../__fixtures__/ethereum-e2e.js';

async function skipReason(): Promise<string | undefined> {
  const skip = await e2eSkipReason();
  if (skip) return skip;
  if (!existsSync(join(ROOT, 'adapters', 'fabric', 'dist', 'interchain', 'delivery.js'))) return 'the Fabric adapter is not built';
  if (!existsSync(join(ROOT, 'core', 'cli', 'dist', 'interchain-demo', 'fleet.js'))) return 'the CLI is not built';
  const fabric = await presetDevnet().available();
  return fabric.ok ? undefined : `the Fabric devnet is unavailable: ${fabric.reason}`;
}

const skip = await skipReason();
if (skip) console.warn(`Fabric ↔ Ethereum interchain e2e skipped: ${skip}`);

const FAB = DEMO_APPS.fabric;
const ETH = DEMO_APPS.ethereum;

async function rpc<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

describe.skipIf(skip !== undefined)('interchain calls between Fabric and Ethereum through three city nodes', () => {
  let fleet: DemoFleet;
  let alice: BsnClient;
  const copies: string[] = [];
  let dataDir: string;
  const app = (code: string) => ({ appId: `demo:${code}` });
  const anvilUrl = () => String(fleet.chains.ethereum.network['rpcUrl']);

  beforeAll(async () => {
    const started = Date.now();
    const [eth, fab] = [await certifiedCopy(join(ROOT, 'adapters', 'ethereum')), await certifiedCopy(join(ROOT, 'adapters', 'fabric'))];
    copies.push(eth.dir, fab.dir);
    dataDir = await mkdtemp(join(eth.dir, 'fleet-'));
    fleet = await startDemoFleet({
      fabric: { folder: fab.plugin, certificate: fab.certificate },
      ethereum: { folder: eth.plugin, certificate: eth.certificate },
      trust: { certifiers: [eth.trustFile, fab.trustFile], suites: FIXTURE_SUITES },
      dataDir,
      progress: (line) => console.info(`fabric-ethereum e2e: ${line}`),
    });
    alice = fleet.client(0);
    await createGrantedApps(fleet, (line) => console.info(`fabric-ethereum e2e: ${line}`));
    console.info(`fabric-ethereum e2e: fleet up, apps granted in ${Date.now() - started} ms`);
  }, 600_000);

  afterAll(async () => {
    await fleet?.stop();
    for (const d of copies) await rm(d, { recursive: true, force: true });
  });

  const call = (dst: 'fabric' | 'ethereum', c: PacketCall) => ({
    dstChain: fleet.chains[dst].name,
    dstApp: dst === 'fabric' ? FAB : ETH,
    method: c.method,
    payload: toBase64(encodePacketCall(c)),
    timeout: Date.now() + 300_000,
  });
  const put = (key: string, value: string): PacketCall => ({ method: 'kv.put', key, value: new TextEncoder().encode(value) });

  async function acknowledged(src: string, id: string, ms = 120_000): Promise<InterchainCallJson> {
    const end = Date.now() + ms;
    let c = await alice.getCall(src, id);
    while (c.state !== 'acknowledged' && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 200));
      c = await alice.getCall(src, id);
    }
    expect(c.state, c.lastError).toBe('acknowledged');
    return c;
  }

  test('Fabric → Ethereum: kv.put executed once on anvil, its ack recorded on Fabric, as both chains say', async () => {
    const t = Date.now();
    const sent = await alice.sendCall(FAB, call('ethereum', put('from-fabric', 'hello from Fabric')));
    expect(sent.state).toBe('sent');
    const done = await acknowledged(FAB, sent.packetId);
    console.info(`fabric-ethereum e2e: Fabric → Ethereum sent → acknowledged in ${Date.now() - t} ms`);
    const packet = done.packet as unknown as Packet;
    const { ethereum, fabric } = fleet.chains;

    // anvil: the delivery transaction succeeded (raw JSON-RPC), the key written once, the receipt with this ack.
    const receipt = await rpc<{ status: string }>(anvilUrl(), 'eth_getTransactionReceipt', [done.txs.deliver]);
    expect(receipt.status).toBe('0x1');
    expect(Buffer.from((await ethereum.reader.kv.get(app(ETH), 'from-fabric'))!.value).toString('utf8')).toBe('hello from Fabric');
    expect(await ethereum.reader.kv.history(app(ETH), 'from-fabric')).toHaveLength(1);
    const there = await ethereum.reader.interchain!.packetState!(packet);
    expect(there).toMatchObject({ side: 'target', state: 'delivered', ack: { status: 'OK' }, txId: done.txs.deliver });
    // Fabric: the ack recorded by the acknowledging transaction, the same ack.
    const here = await fabric.reader.interchain!.packetState!(packet);
    expect(here).toMatchObject({ side: 'source', state: 'acknowledged', ack: (there as { ack: unknown }).ack, txId: done.txs.acknowledge });
  }, 180_000);

  test('Ethereum → Fabric: kv.put executed once on Fabric, its ack recorded on anvil, as both chains say', async () => {
    const t = Date.now();
    const sent = await alice.sendCall(ETH, call('fabric', put('from-ethereum', 'hello from Ethereum')));
    const done = await acknowledged(ETH, sent.packetId);
    console.info(`fabric-ethereum e2e: Ethereum → Fabric sent → acknowledged in ${Date.now() - t} ms`);
    const packet = done.packet as unknown as Packet;
    const { ethereum, fabric } = fleet.chains;

    // Fabric (the peer's own answer through the test's gateway): written once, by the delivering transaction.
    const entry = await fabric.reader.kv.get(app(FAB), 'from-ethereum');
    expect(Buffer.from(entry!.value).toString('utf8')).toBe('hello from Ethereum');
    expect(entry!.txId).toBe(done.txs.deliver);
    expect(await fabric.reader.kv.history(app(FAB), 'from-ethereum')).toHaveLength(1);
    const there = await fabric.reader.interchain!.packetState!(packet);
    expect(there).toMatchObject({ side: 'target', state: 'delivered', ack: { status: 'OK' }, txId: done.txs.deliver });
    // anvil: the acknowledging transaction succeeded, and the outbox holds the ack.
    expect((await rpc<{ status: string }>(anvilUrl(), 'eth_getTransactionReceipt', [done.txs.acknowledge])).status).toBe('0x1');
    expect(await ethereum.reader.interchain!.packetState!(packet)).toMatchObject({
      side: 'source',
      state: 'acknowledged',
      ack: (there as { ack: unknown }).ack,
    });
  }, 180_000);

  test('kv.get both ways: each ack carries the value the target chain holds', async () => {
    const [toEth, toFab] = [
      await alice.sendCall(FAB, call('ethereum', { method: 'kv.get', key: 'from-fabric' })),
      await alice.sendCall(ETH, call('fabric', { method: 'kv.get', key: 'from-ethereum' })),
    ];
    const [a, b] = [await acknowledged(FAB, toEth.packetId), await acknowledged(ETH, toFab.packetId)];
    expect(a.ack).toMatchObject({ status: 'OK', result: Buffer.from('hello from Fabric').toString('base64') });
    expect(b.ack).toMatchObject({ status: 'OK', result: Buffer.from('hello from Ethereum').toString('base64') });
    // The acks as the source chains recorded them, not as the node reports them.
    expect(await fleet.chains.fabric.reader.interchain!.packetState!(a.packet as unknown as Packet)).toMatchObject({
      state: 'acknowledged',
      ack: a.ack,
    });
    expect(await fleet.chains.ethereum.reader.interchain!.packetState!(b.packet as unknown as Packet)).toMatchObject({
      state: 'acknowledged',
      ack: b.ack,
    });
    // A read changes nothing: each key still has its one write.
    expect(await fleet.chains.ethereum.reader.kv.history(app(ETH), 'from-fabric')).toHaveLength(1);
    expect(await fleet.chains.fabric.reader.kv.history(app(FAB), 'from-ethereum')).toHaveLength(1);
  }, 180_000);

  test("a call without the target's grant is refused 403 not-granted, and nothing reaches either chain", async () => {
    // `lonely` on Fabric grants its outgoing side to ic-ethereum; ic-ethereum's owner never grants it in.
    await alice.createApp({ code: 'lonely', network: fleet.chains.fabric.name });
    await alice.grant('lonely', ETH, 'outgoing');
    const anvilBlock = await rpc<string>(anvilUrl(), 'eth_blockNumber');
    const fabricBlock = (await fleet.chains.fabric.reader.gateway.block('latest')).number;
    const refused = await alice.sendCall('lonely', call('ethereum', put('never', 'not granted'))).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused, 'the call was accepted').toBeInstanceOf(NodeResponseError);
    expect(refused).toMatchObject({ status: 403, reason: 'not-granted', code: 'UNAUTHORIZED', verified: true });
    // Nothing executed on the target, nothing sent on the source: neither chain has a new block.
    expect(await rpc<string>(anvilUrl(), 'eth_blockNumber')).toBe(anvilBlock);
    expect((await fleet.chains.fabric.reader.gateway.block('latest')).number).toBe(fabricBlock);
    expect(await fleet.chains.ethereum.reader.kv.get(app(ETH), 'never')).toBeNull();
    expect(await alice.listCalls('lonely')).toEqual([]);
  }, 120_000);

  test('a node refuses to attest real Fabric evidence for a tampered packet; the honest packet is attested; anvil holds the honest value once', async () => {
    const sent = await alice.sendCall(FAB, call('ethereum', put('tamper', 'honest value')));
    const done = await acknowledged(FAB, sent.packetId);
    const packet = done.packet as unknown as Packet;
    const { fabric, ethereum } = fleet.chains;
    const raw = await fabric.reader.interchain!.evidence(done.txs.send!, { kind: 'packet', packetId: sent.packetId });
    // Node 1's own key asks node 2 — a relayer's request, the block vouched for by nodes 2 and 3 on their own connections.
    const asNode1 = new PeerClient('node-1', fleet.nodes[0]!.keys.signPeerRequest);
    const [node2, node3] = [1, 2].map((i) => ({ name: `node-${i + 1}`, url: fleet.nodes[i]!.restUrl }));
    const block = { framework: 'fabric', chain: fabric.name, number: raw.block, hash: raw.blockHash! };
    const vouched = await Promise.all(
      [node2!, node3!].map(
        async (p) => ((await asNode1.attest(p, { kind: 'block', block })) as { blockAttestation: unknown }).blockAttestation,
      ),
    );
    const evidence = { ...raw, attestations: vouched } as typeof raw;
    const evil = { ...packet, payload: toBase64(encodePacketCall(put('tamper', 'evil'))) };
    await expect(asNode1.attest(node2!, { kind: 'packet', packet: evil, evidence })).rejects.toThrow(/403.*(not proven|another packet)/);
    // Without the block attestations Fabric's roots ask for (t = 2), the real evidence is not proven either.
    await expect(asNode1.attest(node2!, { kind: 'packet', packet, evidence: raw })).rejects.toThrow(/403/);
    // The honest packet with the vouched block: attested (so each refusal was the tampering or the missing attestations).
    await expect(asNode1.attest(node2!, { kind: 'packet', packet, evidence })).resolves.toHaveProperty('attestation');
    expect(Buffer.from((await ethereum.reader.kv.get(app(ETH), 'tamper'))!.value).toString('utf8')).toBe('honest value');
    expect(await ethereum.reader.kv.history(app(ETH), 'tamper')).toHaveLength(1);
  }, 180_000);
});
