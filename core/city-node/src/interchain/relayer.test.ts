import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, type Signer } from '@bsn/contract';
import { openSqliteRegistry } from '../registry/sqlite.js';
import type { SqlRegistry } from '../registry/sql-registry.js';
import { AttestationCollector } from './attestation-collector.js';
import { CallStore } from './call-store.js';
import { Relayer, newCall } from './relayer.js';
import { deliveryWorld, silent } from './__fixtures__/delivery-world.js';

const signer = {} as Signer;
let dir: string;
const registries: SqlRegistry[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'relayer-'));
});
afterEach(async () => {
  for (const r of registries.splice(0)) await r.close();
  await rm(dir, { recursive: true, force: true });
});

async function store(name = 'registry.sqlite'): Promise<CallStore> {
  const registry = await openSqliteRegistry(join(dir, name));
  registries.push(registry);
  const s = new CallStore(registry.driver);
  await s.migrate();
  return s;
}

function relayer(world: ReturnType<typeof deliveryWorld>, s: CallStore, holder = 'r1', endpoints = world.endpoints) {
  const collector = new AttestationCollector(endpoints, 2);
  return new Relayer({
    store: s,
    collector,
    chain: (name) => (world.chains[name] ? { name, interchain: world.chains[name]!.interchain, signer } : undefined),
    holder,
    logger: silent,
  });
}

async function send(world: ReturnType<typeof deliveryWorld>, s: CallStore, input = world.put('k', 'v')) {
  const { packet, receipt } = await world.a.interchain.emit({ appId: 'p:source' }, input, signer);
  return s.add(newCall(packet, receipt.txId, Date.now(), 'p:source'));
}

describe('Relayer', () => {
  it('delivers a packet once on the target and records its ack on the source, each read from the chains', async () => {
    const world = deliveryWorld();
    const s = await store();
    const call = await send(world, s);
    const after = await relayer(world, s).advance(call.packetId);
    expect(after?.state).toBe('acknowledged');
    expect(world.b.kv.get('k')).toBe('v');
    expect(world.b.executions).toBe(1);
    expect(world.b.received.get(call.packetId)?.state).toBe('delivered');
    expect(world.a.sent.get(call.packetId)?.state).toBe('acknowledged');
    expect(after?.ack?.status).toBe('OK');
    expect(after?.txs.deliver).toBe(world.b.received.get(call.packetId)?.txId);
    expect(after?.evidence.packet).toMatch(/^chain-a\/\d+\/chain-a-tx-\d+$/);
    expect(after?.evidence.ack).toMatch(/^chain-b\//);
  });

  it('resumes from the registry after a restart between delivery and ack, executing nothing twice', async () => {
    const world = deliveryWorld();
    const s = await store();
    const call = await send(world, s);
    // The first instance dies after delivering: its ack attestations never come.
    const dying = world.endpoints.map((e) => ({
      ...e,
      attest: (req: Parameters<typeof e.attest>[0]) => (req.kind === 'ack' ? Promise.reject(new Error('node killed')) : e.attest(req)),
    }));
    const first = await relayer(world, s, 'r1', dying).advance(call.packetId);
    expect(first?.state).toBe('delivered');
    expect(first?.lastError).toMatch(/0 of the 2 attestations needed for the ack/);
    expect(world.a.sent.get(call.packetId)?.state).toBe('sent');

    // A new instance on the same registry file picks the call up where the chains say it is.
    const reopened = await store();
    expect((await reopened.open(['sent', 'delivered'], 10)).map((c) => c.packetId)).toEqual([call.packetId]);
    await relayer(world, reopened, 'r2').tick();
    expect((await reopened.get(call.packetId))?.state).toBe('acknowledged');
    expect(world.b.executions).toBe(1);
    expect(world.a.sent.get(call.packetId)?.state).toBe('acknowledged');
  });

  it('two relaying nodes with registries of their own relay the same packet at once: one execution, both end acknowledged', async () => {
    const world = deliveryWorld();
    const s1 = await store('one.sqlite');
    const s2 = await store('two.sqlite');
    const call = await send(world, s1);
    await s2.add(newCall(call.packet, call.txs.send, Date.now()));
    const [x, y] = await Promise.all([relayer(world, s1, 'n1').advance(call.packetId), relayer(world, s2, 'n2').advance(call.packetId)]);
    expect(world.b.executions).toBe(1);
    expect([x?.state, y?.state]).toEqual(['acknowledged', 'acknowledged']);
    expect(x?.txs.deliver).toBe(y?.txs.deliver);
  });

  it('kicks of a call already moving (the API, the outbox watcher, the loop) join it: one attestation round per step, one delivery', async () => {
    const world = deliveryWorld();
    const s = await store();
    const call = await send(world, s);
    const asked: string[] = [];
    const counting = world.endpoints.map((e) => ({
      ...e,
      attest: (req: Parameters<typeof e.attest>[0]) => {
        asked.push(req.kind);
        return e.attest(req);
      },
    }));
    const r = relayer(world, s, 'r1', counting);
    const runs = await Promise.all([r.advance(call.packetId), r.advance(call.packetId), r.advance(call.packetId)]);
    expect(runs.map((c) => c?.state)).toEqual(['acknowledged', 'acknowledged', 'acknowledged']);
    expect(world.b.executions).toBe(1);
    // Each of the three attesters asked once for the packet and once for the ack (three runs at once asked 9 and more).
    expect(asked.filter((k) => k === 'packet')).toHaveLength(3);
    expect(asked.filter((k) => k === 'ack')).toHaveLength(3);
    // Once it is done, a later kick moves it again from what the chains say (nothing left to do).
    expect((await r.advance(call.packetId))?.state).toBe('acknowledged');
    expect(world.b.executions).toBe(1);
  });

  it("a target that refuses the delivery as done while still reading 'none' (another relayer's transaction pending) is left to the next round after two tries", async () => {
    const world = deliveryWorld();
    const s = await store();
    const call = await send(world, s);
    let tries = 0;
    world.b.interchain.deliver = () => {
      tries++;
      return Promise.reject(new ConflictError('already delivered'));
    };
    const after = await relayer(world, s).advance(call.packetId);
    expect(after?.state).toBe('sent');
    expect(after?.lastError).toBeUndefined();
    expect(tries).toBe(2);
    expect(world.b.executions).toBe(0);
  });

  it('a packet past its timeout is recorded timed out on the target and closed on the source, never executed', async () => {
    const world = deliveryWorld();
    const s = await store();
    const call = await send(world, s, world.put('late', 'x', Date.now() - 1));
    const after = await relayer(world, s).advance(call.packetId);
    expect(after?.state).toBe('closed');
    expect(world.b.executions).toBe(0);
    expect(world.b.kv.has('late')).toBe(false);
    expect(world.b.received.get(call.packetId)?.state).toBe('timed-out');
    expect(world.a.sent.get(call.packetId)?.state).toBe('timed-out');
  });

  it('with fewer than t attesters willing (forged evidence everywhere but one), nothing executes and the reason is kept', async () => {
    const world = deliveryWorld();
    const s = await store();
    const call = await send(world, s);
    const forging = world.endpoints.map((e, i) => ({
      ...e,
      attest: (req: Parameters<typeof e.attest>[0]) =>
        i === 0 || req.kind === 'block' ? e.attest(req) : e.attest({ ...req, evidence: { ...req.evidence, txId: 'chain-a-tx-999' } }),
    }));
    const after = await relayer(world, s, 'r1', forging).advance(call.packetId);
    expect(after?.state).toBe('sent');
    expect(after?.lastError).toMatch(
      /1 of the 2 attestations needed for the packet: node-2: the evidence is not proven: no such transaction/,
    );
    expect(world.b.executions).toBe(0);
    expect(world.b.received.size).toBe(0);
  });

  it('a relayer that submits fewer than t attestations is refused by the chain itself (UNAUTHORIZED), nothing recorded', async () => {
    const world = deliveryWorld();
    const s = await store();
    const call = await send(world, s);
    const att = await world.endpoints[0]!.attest({
      kind: 'packet',
      packet: call.packet,
      evidence: await world.a.interchain.evidence(call.txs.send!, { kind: 'packet', packetId: call.packetId }),
    });
    await expect(
      world.b.interchain.deliver!(call.packet, ['attestation' in att ? att.attestation : never()], signer),
    ).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
    expect(world.b.executions).toBe(0);
  });

  it('a second instance on the same registry leaves a call alone while the first holds its lease', async () => {
    const world = deliveryWorld();
    const s = await store();
    const call = await send(world, s);
    expect(await s.lease(call.packetId, 'other', Date.now() + 60_000, Date.now())).toBe(true);
    const after = await relayer(world, s, 'r1').advance(call.packetId);
    expect(after?.state).toBe('sent');
    expect(world.b.executions).toBe(0);
  });
});

describe('CallStore leases after a kill -9', () => {
  it("a restarted node releases its previous run's leases, and only its own", async () => {
    const world = deliveryWorld();
    const s = await store();
    const mine = await send(world, s);
    const theirs = await send(world, s, world.put('k2', 'v2'));
    const later = Date.now() + 60_000;
    expect(await s.lease(mine.packetId, 'node-1@host/100/aa', later, Date.now())).toBe(true);
    expect(await s.lease(theirs.packetId, 'node-10@host/7/bb', later, Date.now())).toBe(true);
    expect(await s.releaseHeldBy('node-1@host/')).toBe(1);
    expect(await s.lease(mine.packetId, 'node-1@host/200/cc', later, Date.now())).toBe(true);
    expect(await s.lease(theirs.packetId, 'node-1@host/200/cc', later, Date.now())).toBe(false);
  });
});

function never(): never {
  throw new Error('unreachable');
}
