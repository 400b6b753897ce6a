import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBsnError } from '@bsn/contract';
import { bytes, takeEvents, text, unique } from '@bsn/contract/testing';
import { startNode, whyNoNode, type Actor, type EosNode } from './__fixtures__/node.js';

const why = await whyNoNode();
if (why) console.warn(`skipped: ${why}`);

describe.skipIf(why)('a node that goes away and comes back (the same chain, same endpoint)', () => {
  let node: EosNode;
  let admin: Actor;
  let appId: string;

  beforeAll(async () => {
    node = await startNode();
    admin = await node.actor();
    appId = (await node.app(admin)).appId;
  });
  afterAll(() => node?.stop());

  it('killed with -9: calls fail UNAVAILABLE meanwhile; after a replay the same adapter goes on, every acknowledged write kept', async () => {
    const { adapter } = node;
    const app = { appId };
    const acknowledged = await adapter.kv.put({ app, key: 'before', value: bytes('kept'), requestId: unique('req') }, admin.signer);

    await node.devnet.halt({ crash: true });
    const down = await adapter.kv.get(app, 'before').catch((e: unknown) => e);
    expect(isBsnError(down, 'UNAVAILABLE') && down.retryable, String(down)).toBe(true);
    const health = await adapter.gateway.health();
    expect(health.ok).toBe(false);
    const retried = { app, key: 'during', value: bytes('retried'), requestId: unique('req') };
    const refused = await adapter.kv.put(retried, admin.signer).catch((e: unknown) => e);
    expect(isBsnError(refused, 'UNAVAILABLE'), String(refused)).toBe(true);

    // A plain restart on a dirty database is refused by nodeos; the devnet replays its blocks log.
    await node.devnet.restart({ crash: true });
    expect((await adapter.gateway.health()).ok).toBe(true);
    const kept = await adapter.kv.get(app, 'before');
    expect(kept && [text(kept.value), kept.txId, kept.block]).toEqual(['kept', acknowledged.txId, acknowledged.block.number]);
    expect((await adapter.gateway.block(acknowledged.block.number)).hash).toBe(acknowledged.block.hash);
    expect((await adapter.gateway.transaction(acknowledged.txId)).valid).toBe(true);

    // The write refused while the node was down, retried with its request id: written once.
    const first = await adapter.kv.put(retried, admin.signer);
    const again = await adapter.kv.put(retried, admin.signer);
    expect(again.txId).toBe(first.txId);
    expect(await adapter.kv.history(app, 'during')).toHaveLength(1);
    const events = await takeEvents(adapter.gateway, { app }, 2);
    expect(events.map((e) => [e.name, text(e.payload)])).toEqual([
      ['kv.put', 'before'],
      ['kv.put', 'during'],
    ]);
  });

  it('stopped cleanly and started again: the same chain, no replay needed', async () => {
    const { adapter } = node;
    const app = { appId };
    const receipt = await adapter.kv.put({ app, key: 'clean', value: bytes('v'), requestId: unique('req') }, admin.signer);
    await node.devnet.restart();
    const entry = await adapter.kv.get(app, 'clean');
    expect(entry?.txId).toBe(receipt.txId);
  });
});
