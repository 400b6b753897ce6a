import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signDigest, fromHex, toHex } from '@bsn/contract';
import { NodeResponseError, type EventMessage } from '@bsn/client';
import { HEADERS } from '@bsn/protocol';
import { startTestNode } from '../testing/test-node.js';

let t: Awaited<ReturnType<typeof startTestNode>>;
beforeAll(async () => {
  t = await startTestNode();
  await t.users['alice']!.rest.createApp({ code: 'shop', members: ['bob'] });
  await t.users['mallory']!.rest.createApp({ code: 'rival' });
});
afterAll(async () => {
  await t?.stop();
});

async function failure(p: Promise<unknown>): Promise<NodeResponseError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof NodeResponseError)) throw new Error(`expected an error answer of the node, got ${String(e)}`);
  return e;
}

describe('REST gateway on an in-memory chain', () => {
  test('health, readiness, OpenAPI document, metrics, node info', async () => {
    const base = t.node.restUrl;
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ ok: true });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/v1/apps/{app}/kv/{key}');
    const info = await t.users['alice']!.rest.node();
    expect(info.key.algorithm).toBe('secp256r1');
    expect((info['networks'] as Array<{ name: string }>)[0]!.name).toBe('mem');
  });

  test('put / get / delete / history / list through the preset contract, every response signed', async () => {
    const alice = t.users['alice']!.rest;
    const bob = t.users['bob']!.rest; // SM2 request key
    const r1 = await alice.put('shop', 'fruit/apple', 'red');
    expect(r1.txId).toMatch(/^0x/);
    await bob.put('shop', 'fruit/banana', new Uint8Array([0xff, 0x00, 0x01]));
    expect((await bob.get('shop', 'fruit/apple'))?.text).toBe('red');
    expect((await alice.get('shop', 'fruit/banana'))?.value).toEqual(new Uint8Array([0xff, 0x00, 0x01]));
    await alice.put('shop', 'fruit/apple', 'green');
    await alice.delete('shop', 'fruit/apple');
    expect(await alice.get('shop', 'fruit/apple')).toBeNull();
    const h = await alice.history('shop', 'fruit/apple');
    expect(h.entries.map((e) => e.valueText ?? null)).toEqual(['red', 'green', null]);
    expect(h.entries[2]!.deleted).toBe(true);
    const page = await alice.list('shop', 'fruit/');
    expect(page.entries.map((e) => e.key)).toEqual(['fruit/banana']);
    const raw = await alice.raw('GET', '/v1/apps/shop/kv/fruit/banana', { app: 'shop' });
    expect(raw.verified).toBe(true);
    expect(raw.headers.get(HEADERS.nodeKey)).toMatch(/^secp256r1:/);
  });

  test('generic submit and evaluate; idempotent request ids; a reused id with other content is CONFLICT', async () => {
    const alice = t.users['alice']!.rest;
    const a = await alice.submit('shop', 'put', ['k1', { base64: Buffer.from('v1').toString('base64') }], 'req-1');
    const again = await alice.submit('shop', 'put', ['k1', { base64: Buffer.from('v1').toString('base64') }], 'req-1');
    expect(again).toEqual(a);
    const e = await failure(alice.submit('shop', 'put', ['k1', 'other'], 'req-1'));
    expect([e.status, e.code, e.reason]).toEqual([409, 'CONFLICT', 'request-id-reused']);
    expect((await alice.evaluate('shop', 'get', ['k1'])).resultText).toBe('v1');
  });

  test('user-key mode: prepare, sign the digest with the chain key, submit', async () => {
    const carol = t.users['carol']!;
    const chainKey = t.users['carol']!.privateKey; // carol uses her request key as her chain key too
    await carol.rest.setChainKey('memory', { algorithm: 'secp256k1', publicKey: carol.publicKey });
    await t.users['alice']!.rest.admit('shop', 'carol');
    const hosted = await failure(carol.rest.put('shop', 'x', 'y'));
    expect([hosted.status, hosted.reason]).toEqual([403, 'key-mode']);
    const p = await carol.rest.prepare('shop', 'put', ['signed-by-carol', 'hello'], 'carol-1');
    const sig = signDigest('secp256k1', chainKey, fromHex(p.digest.replace(/^0x/, '')));
    const receipt = await carol.rest.submitPrepared('shop', p.preparedId, {
      compact: toHex(sig.compact),
      ...(sig.recovery !== undefined && { recovery: sig.recovery }),
    });
    expect(receipt['requestId']).toBe('carol-1');
    expect((await carol.rest.get('shop', 'signed-by-carol'))?.text).toBe('hello');
  });

  test('refusals: forged signature, replayed nonce, stale timestamp, other portal, oversized and malformed bodies — nothing written', async () => {
    const alice = t.users['alice']!.rest;
    const before = t.chain.height;
    // forged: signed by another key under alice's name
    const forger = new (alice.constructor as typeof import('@bsn/client').BsnClient)({
      baseUrl: t.node.restUrl,
      user: 'alice',
      algorithm: 'secp256r1',
      privateKey: t.users['bob']!.privateKey.length === 32 ? new Uint8Array(32).fill(7) : new Uint8Array(32).fill(7),
    });
    let e = await failure(forger.put('shop', 'forged', 'x'));
    expect([e.status, e.code, e.reason]).toEqual([401, 'UNAUTHORIZED', 'bad-signature']);
    // replay
    const nonce = 'replay-nonce-0123456789';
    const first = await alice.raw('PUT', '/v1/apps/shop/kv/replayed', { app: 'shop', body: 'once', nonce });
    expect(first.status).toBe(200);
    const heightAfterFirst = t.chain.height;
    const second = await alice.raw('PUT', '/v1/apps/shop/kv/replayed', { app: 'shop', body: 'twice', nonce });
    expect(second.status).toBe(401);
    expect(JSON.parse(second.body.toString()).error).toMatchObject({ code: 'UNAUTHORIZED', reason: 'nonce-replayed' });
    expect(second.verified).toBe(true);
    expect(t.chain.height).toBe(heightAfterFirst);
    // stale
    const stale = await alice.raw('PUT', '/v1/apps/shop/kv/stale', { app: 'shop', body: 'x', timestamp: Date.now() - 10 * 60_000 });
    expect([stale.status, JSON.parse(stale.body.toString()).error.reason]).toEqual([401, 'stale-timestamp']);
    // another portal's app is invisible
    e = await failure(alice.put('rival', 'k', 'v'));
    expect([e.status, e.code, e.reason]).toEqual([404, 'NOT_FOUND', 'app-not-found']);
    e = await failure(t.users['mallory']!.rest.get('shop', 'fruit/banana'));
    expect([e.status, e.reason]).toEqual([404, 'app-not-found']);
    // oversized and malformed
    const big = await alice.raw('PUT', '/v1/apps/shop/kv/big', { app: 'shop', body: new Uint8Array(70_000) });
    expect([big.status, JSON.parse(big.body.toString()).error.reason]).toEqual([413, 'body-too-large']);
    const bad = await alice.raw('POST', '/v1/apps/shop/transactions', {
      app: 'shop',
      body: '{"method": "put", ',
      headers: { 'content-type': 'application/json' },
    });
    expect([bad.status, JSON.parse(bad.body.toString()).error.reason]).toEqual([400, 'malformed-body']);
    // unsigned
    const unsigned = await fetch(`${t.node.restUrl}/v1/apps`);
    expect(unsigned.status).toBe(401);
    expect(((await unsigned.json()) as { error: { reason: string } }).error.reason).toBe('missing-credentials');
    // app header must match the path
    const mismatch = await alice.raw('GET', '/v1/apps/shop/kv/fruit/banana', { app: 'rival' });
    expect(JSON.parse(mismatch.body.toString()).error.reason).toBe('app-mismatch');
    expect(t.chain.height).toBe(heightAfterFirst);
    expect(heightAfterFirst).toBe(before + 1);
    expect(await alice.get('shop', 'forged')).toBeNull();
  });

  test('an app on the chain but missing from the registry (a crash between the two) is adopted', async () => {
    const adminSigner = t.node.keys.chainSigner('memory', 'secp256k1');
    await t.node.networks.byName('mem')!.adapter.lifecycle.create(
      {
        appId: 'p1:orphan', // the chain knows alice's (portal p1) app orphan by its key
        name: 'orphan',
        framework: 'memory',
        mode: 'consortium',
        placement: 'shared',
        contract: { kind: 'preset-kv' },
        members: [],
      },
      adminSigner,
    );
    const app = await t.users['alice']!.rest.createApp({ code: 'orphan' });
    expect(app['code']).toBe('orphan');
    // someone else's app of that id is a conflict
    const stranger = (await import('@bsn/contract')).privateKeySigner('secp256k1', new Uint8Array(32).fill(3));
    await t.node.networks.byName('mem')!.adapter.lifecycle.create(
      {
        appId: 'p1:taken',
        name: 'taken',
        framework: 'memory',
        mode: 'consortium',
        placement: 'shared',
        contract: { kind: 'preset-kv' },
        members: [],
      },
      stranger,
    );
    const e = await failure(t.users['alice']!.rest.createApp({ code: 'taken' }));
    expect([e.status, e.code]).toEqual([409, 'CONFLICT']);
  });

  test('a user acts only in apps that admitted them', async () => {
    await t.users['bob']!.rest.createApp({ code: 'bobs' });
    const e = await failure(t.users['carol']!.rest.get('bobs', 'k'));
    expect([e.status, e.reason]).toEqual([403, 'not-admitted']);
    expect((await t.users['carol']!.rest.listApps()).apps.map((a) => a['code'])).not.toContain('bobs');
    expect((await t.users['alice']!.rest.listApps()).apps.map((a) => a['code'])).toEqual(expect.arrayContaining(['bobs', 'shop']));
  });

  test('portal admins register users of their portal; others may not', async () => {
    const { newKey } = await import('../testing/test-node.js');
    const dave = newKey('sm2');
    const created = await t.users['alice']!.rest.createUser({ code: 'dave', algorithm: 'sm2', publicKey: dave.publicKey });
    expect(created).toMatchObject({ code: 'dave', portal: 'p1', keyMode: 'hosted', role: 'member' });
    const { BsnClient } = await import('@bsn/client');
    const daveClient = new BsnClient({ baseUrl: t.node.restUrl, user: 'dave', algorithm: 'sm2', privateKey: dave.privateKey });
    expect(await daveClient.me()).toMatchObject({ code: 'dave', portal: 'p1' });
    let e = await failure(t.users['bob']!.rest.createUser({ code: 'eve', algorithm: 'sm2', publicKey: dave.publicKey }));
    expect([e.status, e.reason]).toEqual([403, 'not-portal-admin']);
    e = await failure(t.users['alice']!.rest.createUser({ code: 'dave', algorithm: 'sm2', publicKey: dave.publicKey }));
    expect(e.status).toBe(409);
    e = await failure(t.users['alice']!.rest.createUser({ code: 'bad key', algorithm: 'sm2', publicKey: dave.publicKey }));
    expect([e.status, e.field]).toEqual([400, '/code']);
    // a new member acts only once admitted
    e = await failure(daveClient.get('shop', 'fruit/banana'));
    expect(e.reason).toBe('not-admitted');
    await t.users['alice']!.rest.admit('shop', 'dave');
    expect((await daveClient.get('shop', 'fruit/banana'))?.value).toEqual(new Uint8Array([0xff, 0x00, 0x01]));
  });

  test('app-to-app grants need both sides', async () => {
    const alice = t.users['alice']!.rest;
    await alice.createApp({ code: 'partner' });
    let g = await alice.grant('shop', 'partner', 'outgoing', ['put']);
    expect(g['effective']).toBe(false);
    g = await alice.grant('partner', 'shop', 'incoming');
    expect(g['effective']).toBe(true);
    expect(await t.node.service.grantAllows('p1:shop', 'p1:partner', 'put')).toBe(true);
    expect(await t.node.service.grantAllows('p1:shop', 'p1:partner', 'delete')).toBe(false);
    expect(await t.node.service.grantAllows('p1:partner', 'p1:shop')).toBe(false);
  });

  test("no existence oracle across portals: app codes are the portal's own, and grants name apps without looking them up", async () => {
    const mallory = t.users['mallory']!.rest; // portal p2
    // p1 has an app shop; p2 creating its own shop succeeds, and each portal sees its own.
    const own = await mallory.createApp({ code: 'shop' });
    expect(own).toMatchObject({ code: 'shop', portal: 'p2' });
    expect((await mallory.getApp('shop'))['portal']).toBe('p2');
    expect((await t.users['alice']!.rest.getApp('shop'))['portal']).toBe('p1');
    // A grant to an app of another portal answers exactly like a grant to one that does not exist.
    const existing = await mallory.grant('shop', 'p1:shop', 'outgoing');
    const missing = await mallory.grant('shop', 'p1:no-such-app', 'outgoing');
    expect([existing['effective'], missing['effective']]).toEqual([false, false]);
    expect(Object.keys(existing).sort()).toEqual(Object.keys(missing).sort());
    // And reading another portal's app is the same NOT_FOUND as reading a missing one.
    const foreign = await failure(mallory.getApp('partner'));
    const absent = await failure(mallory.getApp('no-such-app'));
    expect([foreign.status, foreign.reason]).toEqual([absent.status, absent.reason]);
  });

  test('events stream over SSE and resume after the last id without gaps or duplicates', async () => {
    const alice = t.users['alice']!.rest;
    await alice.createApp({ code: 'feed' });
    for (let i = 0; i < 5; i++) await alice.put('feed', `e${i}`, `v${i}`);
    const firstThree: EventMessage[] = [];
    for await (const e of alice.events('feed', { limit: 3 })) firstThree.push(e);
    expect(firstThree.map((e) => e.payloadText)).toEqual(['e0', 'e1', 'e2']);
    expect(firstThree.every((e) => e.verified)).toBe(true);
    const rest: typeof firstThree = [];
    const controller = new AbortController();
    const reading = (async () => {
      for await (const e of alice.events('feed', { after: firstThree[2]!.id, limit: 4, signal: controller.signal })) rest.push(e);
    })();
    await alice.put('feed', 'e5', 'v5'); // live
    await alice.put('feed', 'e6', 'v6');
    await reading;
    expect(rest.map((e) => e.payloadText)).toEqual(['e3', 'e4', 'e5', 'e6']);
  });

  test('metering per app: transactions, storage, bandwidth, TPS; Prometheus metrics', async () => {
    const alice = t.users['alice']!.rest;
    await alice.createApp({ code: 'metered' });
    await alice.put('metered', 'a', '12345');
    await alice.put('metered', 'b', '67890');
    await alice.get('metered', 'a');
    const u = await alice.usage('metered');
    expect(u.txs).toBe(2);
    expect(u.storageBytes).toBe(12);
    expect(u.reads).toBe(1);
    expect(u.bytesIn).toBeGreaterThanOrEqual(10);
    expect(u.bytesOut).toBeGreaterThan(0);
    expect(u.tps).toBeGreaterThan(0);
    const metrics = await (await fetch(`${t.node.restUrl}/metrics`)).text();
    expect(metrics).toMatch(/bsn_app_transactions_total\{app="p1:metered"\} 2/);
    expect(metrics).toMatch(/bsn_app_tps\{app="p1:metered"\}/);
    expect(metrics).toMatch(/bsn_apps_registered \d+/);
  });
});
