/**
 * End to end through REST on two real anvil chains and three city nodes (attesters, t = 2) whose
 * certified Ethereum plugins run confined: an app on chain A calls an app on chain B; the call is
 * delivered once and acknowledged, each checked by reading the chains themselves with an adapter
 * of the test's own and the outbox's logs (not any node's registry). Then: a second node relaying
 * the same packets at the same time; a packet found on the chain by a node that was never told of
 * it, its sender killed; a timeout; a relaying node killed -9 between delivery and ack.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BsnClient, type InterchainCallJson } from '@bsn/client';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { NodeKeys, PeerClient, type CityNode } from '@bsn/city-node';
import { encodePacketCall, packetId, toBase64, type Packet } from '@bsn/contract';
import { startNodeProcess } from './__fixtures__/node-process.js';
import { ALICE, PASSPHRASE, interchainSkipReason, startInterchainFleet, type InterchainFleet } from './__fixtures__/interchain-fleet.js';

const skip = await interchainSkipReason();
if (skip) console.warn(`interchain end-to-end tests skipped: ${skip}`);

describe.skipIf(skip !== undefined)('interchain calls between two anvil chains through three city nodes', () => {
  let fleet: InterchainFleet;
  const nodes: CityNode[] = [];
  let alice: BsnClient;

  beforeAll(async () => {
    fleet = await startInterchainFleet();
    for (let i = 0; i < 3; i++) nodes.push(await fleet.start(i));
    alice = new BsnClient({ baseUrl: nodes[0]!.restUrl, user: 'alice', algorithm: 'secp256r1', privateKey: ALICE.privateKey });
    await alice.createApp({ code: 'src', network: 'chain-a' });
    await alice.createApp({ code: 'dst', network: 'chain-b' });
    await alice.grant('src', 'dst', 'outgoing');
    await alice.grant('dst', 'src', 'incoming');
  }, 300_000);
  afterAll(async () => {
    for (const n of nodes) await n.stop().catch(() => {});
    await fleet?.stop();
  });

  const put = (key: string, value: string) => ({
    dstChain: 'chain-b',
    dstApp: 'dst',
    method: 'kv.put',
    payload: toBase64(encodePacketCall({ method: 'kv.put', key, value: new TextEncoder().encode(value) })),
    timeout: Date.now() + 300_000,
  });

  async function until(client: BsnClient, id: string, state: InterchainCallJson['state'], ms = 120_000): Promise<InterchainCallJson> {
    const end = Date.now() + ms;
    let call = await client.getCall('src', id);
    while (call.state !== state && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 250));
      call = await client.getCall('src', id);
    }
    return call;
  }

  /** Executed once on chain B, acknowledged once on chain A: the outboxes' own logs, and the key's history on B. */
  async function onceOnBothChains(packet: Packet, key: string) {
    const id = packetId(packet);
    expect(await fleet.readers['chain-a'].interchain!.packetState!(packet)).toMatchObject({ side: 'source', state: 'acknowledged' });
    expect(await fleet.readers['chain-b'].interchain!.packetState!(packet)).toMatchObject({ state: 'delivered', ack: { status: 'OK' } });
    expect(await fleet.readers['chain-b'].kv.history({ appId: 'p1:dst' }, key)).toHaveLength(1);
    expect(await fleet.outboxLogs('chain-b', 'PacketDelivered', id)).toBe(1);
    expect(await fleet.outboxLogs('chain-a', 'PacketAcknowledged', id)).toBe(1);
  }

  /** Polls the source chain itself until it records the packet acknowledged. */
  async function acknowledgedOnChainA(packet: Packet, ms = 120_000): Promise<boolean> {
    const end = Date.now() + ms;
    for (;;) {
      if ((await fleet.readers['chain-a'].interchain!.packetState!(packet)).state === 'acknowledged') return true;
      if (Date.now() > end) return false;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  test('a call from chain A is delivered once on chain B and acknowledged on chain A, as both chains record it', async () => {
    const started = Date.now();
    const sent = await alice.sendCall('src', put('greeting', 'hello from chain A'));
    expect(sent.state).toBe('sent');
    const done = await until(alice, sent.packetId, 'acknowledged');
    expect(done.state, done.lastError).toBe('acknowledged');
    console.info(`interchain e2e: sent → acknowledged in ${Date.now() - started} ms`);
    const packet = done.packet as unknown as Packet;
    expect(packetId(packet)).toBe(sent.packetId);

    // Chain B itself: the value is in the target app's store, and the packet is delivered with this ack.
    const b = fleet.readers['chain-b'];
    const stored = await b.kv.get({ appId: 'p1:dst' }, 'greeting');
    expect(Buffer.from(stored!.value).toString('utf8')).toBe('hello from chain A');
    const there = await b.interchain!.packetState!(packet);
    expect(there).toMatchObject({ side: 'target', state: 'delivered', ack: { status: 'OK' }, txId: done.txs.deliver });
    // Chain A itself: the ack recorded once, the same ack.
    const here = await fleet.readers['chain-a'].interchain!.packetState!(packet);
    expect(here).toMatchObject({ side: 'source', state: 'acknowledged', ack: (there as { ack: unknown }).ack });
    await onceOnBothChains(packet, 'greeting');
    // The three nodes ran it through confined plugins: each a child process of this one under Node's permission model.
    const confined = execFileSync('ps', ['-o', 'args=', '--ppid', String(process.pid)], { encoding: 'utf8' })
      .split('\n')
      .filter((args) => /--(experimental-)?permission /.test(args) && args.includes('isolation/runner.js'));
    expect(confined.length, 'plugin processes of the three nodes').toBeGreaterThanOrEqual(3);
  }, 180_000);

  test('a second node relaying the same packets at the same time changes nothing: each executes once', async () => {
    // Node 2 relays too; it learns of each packet when node 1 asks it to attest (or from chain A).
    // Node 3 is down: with t = 2 each relayer needs the other's attestation while both race.
    await nodes[1]!.stop();
    nodes[1] = await fleet.start(1, { relay: true });
    await nodes[2]!.stop();
    const calls = [];
    try {
      for (let i = 0; i < 3; i++) calls.push(await alice.sendCall('src', put(`both-${i}`, `value ${i}`)));
      for (const c of calls) expect((await until(alice, c.packetId, 'acknowledged')).state).toBe('acknowledged');
    } finally {
      nodes[2] = await fleet.start(2);
    }
    const b = fleet.readers['chain-b'];
    for (const [i, c] of calls.entries()) {
      const packet = c.packet as unknown as Packet;
      expect(Buffer.from((await b.kv.get({ appId: 'p1:dst' }, `both-${i}`))!.value).toString('utf8')).toBe(`value ${i}`);
      // One execution and one ack, as the chains' own logs count them.
      await onceOnBothChains(packet, `both-${i}`);
    }
    // Node 2 relayed them too: it tracked each packet and followed it to the end on the chains.
    const end = Date.now() + 60_000;
    let tracked = await Promise.all(calls.map((c) => nodes[1]!.interchain!.store.get(c.packetId)));
    while (tracked.some((t) => t?.state !== 'acknowledged') && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 250));
      tracked = await Promise.all(calls.map((c) => nodes[1]!.interchain!.store.get(c.packetId)));
    }
    expect(tracked.map((t) => t?.state)).toEqual(['acknowledged', 'acknowledged', 'acknowledged']);
  }, 300_000);

  test('a packet sent through node 1, killed -9 at once, is found on chain A and relayed by node 2, which no one told of it', async () => {
    // Node 2 relays (since the test above) and watches the source app's outbox: it attested one of its packets.
    expect(await nodes[1]!.interchain!.store.trackedSources()).toContainEqual({ network: 'chain-a', app: 'p1:src' });
    // Node 1 sends from a process of its own and relays nothing (so it asks no peer to attest); node 3 does not relay.
    await nodes[0]!.stop();
    const file = join(fleet.pluginsDir, 'node-1.json');
    const proc = await startNodeProcess(fleet.configOf(0, { relay: false }), file, fleet.nodes[0]!.restPort, PASSPHRASE);
    let sent: InterchainCallJson;
    try {
      const client = new BsnClient({ baseUrl: proc.url, user: 'alice', algorithm: 'secp256r1', privateKey: ALICE.privateKey });
      sent = await client.sendCall('src', put('orphan', 'sent by a node that died'));
    } finally {
      await proc.kill9();
    }
    const packet = sent.packet as unknown as Packet;
    try {
      expect(await acknowledgedOnChainA(packet), 'node 2 never relayed the packet').toBe(true);
      const b = fleet.readers['chain-b'];
      expect(Buffer.from((await b.kv.get({ appId: 'p1:dst' }, 'orphan'))!.value).toString('utf8')).toBe('sent by a node that died');
      await onceOnBothChains(packet, 'orphan');
      // Node 2 learned of it from chain A's packet.sent event: the send transaction is the one node 1 reported.
      expect((await nodes[1]!.interchain!.store.get(sent.packetId))?.txs.send).toBe(sent.txs.send);
    } finally {
      nodes[0] = await fleet.start(0);
    }
  }, 300_000);

  test('a call not delivered before its timeout is recorded timed out on chain B and closed on chain A, never executed', async () => {
    // Nobody relays while the call's time runs out.
    await nodes[1]!.stop();
    nodes[1] = await fleet.start(1, { relay: false });
    await nodes[0]!.stop();
    nodes[0] = await fleet.start(0, { relay: false });
    const late = new BsnClient({ baseUrl: nodes[0].restUrl, user: 'alice', algorithm: 'secp256r1', privateKey: ALICE.privateKey });
    const sent = await late.sendCall('src', { ...put('too-late', 'never'), timeout: Date.now() + 3000 });
    await new Promise((r) => setTimeout(r, 4000));
    await nodes[0].stop();
    nodes[0] = await fleet.start(0);
    alice = new BsnClient({ baseUrl: nodes[0].restUrl, user: 'alice', algorithm: 'secp256r1', privateKey: ALICE.privateKey });
    const done = await until(alice, sent.packetId, 'closed');
    expect(done.state, done.lastError).toBe('closed');
    expect(done.txs.timeout).toBeTruthy();
    expect(done.evidence.timeout).toMatch(/^chain-b\//);
    const packet = done.packet as unknown as Packet;
    expect(await fleet.readers['chain-b'].interchain!.packetState!(packet)).toMatchObject({ side: 'target', state: 'timed-out' });
    expect(await fleet.readers['chain-a'].interchain!.packetState!(packet)).toMatchObject({ side: 'source', state: 'timed-out' });
    expect(await fleet.readers['chain-b'].kv.get({ appId: 'p1:dst' }, 'too-late')).toBeNull();
  }, 180_000);

  test('kill -9 of the relaying node between a delivery on chain B and its ack on chain A, then a restart: every call delivered once and acknowledged once', async () => {
    // The calls are sent while nobody relays (node 1 in process, relay off; nodes 2 and 3 relay nothing).
    await nodes[0]!.stop();
    nodes[0] = await fleet.start(0, { relay: false });
    const quiet = new BsnClient({ baseUrl: nodes[0].restUrl, user: 'alice', algorithm: 'secp256r1', privateKey: ALICE.privateKey });
    const calls: InterchainCallJson[] = [];
    for (let i = 0; i < 4; i++) calls.push(await quiet.sendCall('src', put(`killed-${i}`, `value ${i}`)));
    await nodes[0].stop();
    // Then node 1 relays them from a process of its own (same data folder, registry and port) that
    // kills itself -9 when it first asks for an ack's attestation: its delivery is final on chain B.
    const file = join(fleet.pluginsDir, 'node-1.json');
    const port = fleet.nodes[0]!.restPort;
    let proc = await startNodeProcess(fleet.configOf(0), file, port, PASSPHRASE, { dieAtAck: true });
    try {
      const signal = await Promise.race([proc.exited, new Promise<'alive'>((r) => setTimeout(() => r('alive'), 120_000))]);
      expect(signal, `the relaying node did not die at an ack:\n${proc.output()}`).toBe('SIGKILL');
      const a = fleet.readers['chain-a'];
      const b = fleet.readers['chain-b'];
      const packets = calls.map((c) => c.packet as unknown as Packet);
      const source = await Promise.all(packets.map((p) => a.interchain!.packetState!(p)));
      const target = await Promise.all(packets.map((p) => b.interchain!.packetState!(p)));
      const midFlight = packets.filter((_, i) => target[i]!.state === 'delivered' && source[i]!.state === 'sent').length;
      console.info(
        `interchain e2e: at kill -9, ${midFlight} of ${calls.length} calls delivered on chain B and not acknowledged on chain A, ${
          source.filter((s) => s.state === 'acknowledged').length
        } acknowledged`,
      );
      expect(midFlight, 'the kill fell between a delivery and its ack').toBeGreaterThan(0);

      proc = await startNodeProcess(fleet.configOf(0), file, port, PASSPHRASE);
      const again = new BsnClient({ baseUrl: proc.url, user: 'alice', algorithm: 'secp256r1', privateKey: ALICE.privateKey });
      for (const c of calls) expect((await until(again, c.packetId, 'acknowledged')).state).toBe('acknowledged');
      for (const [i, p] of packets.entries()) await onceOnBothChains(p, `killed-${i}`);
    } finally {
      await proc.stop();
      // The rest of the tests use node 1 in process again.
      nodes[0] = await fleet.start(0);
    }
  }, 300_000);

  test('a node refuses to attest real evidence for a tampered packet, and the target chain is unchanged', async () => {
    const sent = await alice.sendCall('src', put('tamper', 'honest value'));
    const done = await until(alice, sent.packetId, 'acknowledged');
    const packet = done.packet as unknown as Packet;
    const raw = await fleet.readers['chain-a'].interchain!.evidence(done.txs.send!, { kind: 'packet', packetId: sent.packetId });
    // Node 1's own key asks node 2 (a pinned peer) — the relayer's request, with the payload changed.
    const keys = await NodeKeys.open(join(fleet.nodes[0]!.dataDir, 'node-key.json'), PASSPHRASE, { scryptN: 1024, nodeName: 'node-1' });
    const asNode1 = new PeerClient('node-1', keys.signPeerRequest);
    const node2 = { name: 'node-2', url: nodes[1]!.restUrl };
    // The block vouched for by nodes 2 and 3 on their own connections, as the relayer gathers it.
    const block = { framework: 'ethereum', chain: 'chain-a', number: raw.block, hash: raw.blockHash! };
    const vouched = await Promise.all(
      [node2, { name: 'node-3', url: nodes[2]!.restUrl }].map(async (p) => {
        const a = await asNode1.attest(p, { kind: 'block', block });
        return (a as { blockAttestation: NonNullable<typeof raw.attestations>[number] }).blockAttestation;
      }),
    );
    const evidence = { ...raw, attestations: vouched };
    const evil = {
      ...packet,
      payload: toBase64(encodePacketCall({ method: 'kv.put', key: 'tamper', value: new TextEncoder().encode('evil') })),
    };
    await expect(asNode1.attest(node2, { kind: 'packet', packet: evil, evidence })).rejects.toThrow(/403.*(not proven|another packet)/);
    // The honest packet, same evidence: attested (so the refusal was the tampering, nothing else).
    await expect(asNode1.attest(node2, { kind: 'packet', packet, evidence })).resolves.toHaveProperty('attestation');
    const b = fleet.readers['chain-b'];
    expect(Buffer.from((await b.kv.get({ appId: 'p1:dst' }, 'tamper'))!.value).toString('utf8')).toBe('honest value');
    expect(await b.kv.history({ appId: 'p1:dst' }, 'tamper')).toHaveLength(1);
  }, 180_000);
});
