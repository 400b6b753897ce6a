import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Adapter, ChainEvent, EventsRequest, Packet } from '@bsn/contract';
import { canonicalJson, packetId, utf8 } from '@bsn/contract';
import type { ConnectedNetwork } from '../networks.js';
import { openSqliteRegistry } from '../registry/sqlite.js';
import type { SqlRegistry } from '../registry/sql-registry.js';
import { CallStore } from './call-store.js';
import { OutboxWatcher } from './outbox-watcher.js';
import { silent } from './__fixtures__/delivery-world.js';

let dir: string;
let registry: SqlRegistry;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'watcher-'));
  registry = await openSqliteRegistry(join(dir, 'r.sqlite'));
});
afterEach(async () => {
  await registry.close();
  await rm(dir, { recursive: true, force: true });
});

const packet = (seq: number): Packet => ({
  v: 1,
  srcChain: 'chain-a',
  srcApp: 'p1:src',
  dstChain: 'chain-b',
  dstApp: 'p1:dst',
  seq,
  method: 'kv.put',
  payload: '',
  timeout: Date.now() + 60_000,
  grantRef: 'g:1',
});

/** A chain whose `packet.sent` events are `log`, served after the checkpoint asked, then held open. */
function chain(log: ChainEvent[], asked: EventsRequest[]) {
  const events = async function* (r: EventsRequest): AsyncIterable<ChainEvent> {
    asked.push(r);
    for (const e of log) if (!r.after || e.checkpoint.block > r.after.block) yield e;
    await new Promise((resolve) => r.signal?.addEventListener('abort', resolve));
  };
  return { name: 'chain-a', adapter: { gateway: { events }, interchain: { deliver: () => {} } } as unknown as Adapter } as ConnectedNetwork;
}

const event = (p: Packet | string, block: number): ChainEvent => ({
  app: 'p1:src',
  name: 'packet.sent',
  payload: utf8(typeof p === 'string' ? p : canonicalJson(p)),
  txId: `tx-${block}`,
  checkpoint: { block, index: 0 },
});

async function settle(cond: () => Promise<boolean>) {
  for (let i = 0; i < 100 && !(await cond()); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('OutboxWatcher', () => {
  it('records the packets of granted apps from packet.sent events, skips what is not a packet, and resumes after its checkpoint', async () => {
    const store = new CallStore(registry.driver);
    await store.migrate();
    await registry.createPortal({ code: 'p1', name: 'p1' });
    await registry.createApp({ code: 'p1:src', portal: 'p1', owner: 'u', name: 'src', framework: 'x', network: 'chain-a', chain: {} });
    const side = { by: 'u', at: 0, methods: [], expiresAt: 0 };
    await registry.grant('p1:src', 'p1:dst', 'source', side);
    const log = [event(packet(1), 1), event('{"not":"a packet"}', 2), event(packet(2), 3)];
    const asked: EventsRequest[] = [];
    const kicked: string[] = [];
    const w1 = new OutboxWatcher(store, registry, { byName: () => chain(log, asked) }, silent, (id) => kicked.push(id));
    // One side granted: not watched.
    await w1.refresh();
    expect(asked).toHaveLength(0);
    await registry.grant('p1:src', 'p1:dst', 'target', side);
    await w1.refresh();
    await settle(async () => (await store.checkpoint('chain-a', 'p1:src', 'packet.sent'))?.block === 3);
    w1.stop();
    expect(kicked).toEqual([packetId(packet(1)), packetId(packet(2))]);
    expect((await store.get(packetId(packet(2))))?.txs.send).toBe('tx-3');
    expect(await store.checkpoint('chain-a', 'p1:src', 'packet.sent')).toEqual({ block: 3, index: 0 });

    // A restart resumes after the checkpoint: nothing seen twice.
    log.push(event(packet(3), 4));
    const w2 = new OutboxWatcher(store, registry, { byName: () => chain(log, asked) }, silent, (id) => kicked.push(id));
    await w2.refresh();
    await settle(async () => (await store.checkpoint('chain-a', 'p1:src', 'packet.sent'))?.block === 4);
    w2.stop();
    expect(asked.at(-1)?.after).toEqual({ block: 3, index: 0 });
    expect(kicked.slice(2)).toEqual([packetId(packet(3))]);
  });

  it("watches the outbox of another node's app once it tracked one of its packets: later packets are found on the chain", async () => {
    const store = new CallStore(registry.driver);
    await store.migrate();
    const log = [event(packet(1), 1), event(packet(2), 2)];
    const asked: EventsRequest[] = [];
    const kicked: string[] = [];
    const w = new OutboxWatcher(store, registry, { byName: (n) => (n === 'chain-a' ? chain(log, asked) : undefined) }, silent, (id) =>
      kicked.push(id),
    );
    // No app, no grant in this registry, nothing tracked: nothing to watch.
    await w.refresh();
    expect(asked).toHaveLength(0);
    // A peer asked this node to attest packet 1 (the relayer tracked it): its source app is watched.
    await store.add({ packetId: packetId(packet(1)), packet: packet(1), state: 'sent', txs: {}, evidence: {}, createdAt: 0, updatedAt: 0 });
    expect(await store.trackedSources()).toEqual([{ network: 'chain-a', app: 'p1:src' }]);
    await w.refresh();
    await settle(async () => (await store.checkpoint('chain-a', 'p1:src', 'packet.sent'))?.block === 2);
    w.stop();
    expect(asked.map((r) => r.app)).toEqual([{ appId: 'p1:src' }]);
    expect(kicked).toEqual([packetId(packet(1)), packetId(packet(2))]);
    expect((await store.get(packetId(packet(2))))?.txs.send).toBe('tx-2');
  });
});
