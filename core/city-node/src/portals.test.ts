/**
 * Portals and users managed at run time, by the operator role only, over REST and gRPC alike;
 * bad input named by its field.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BsnClient } from '@bsn/client';
import { newKey, startTestNode } from './testing/test-node.js';

let t: Awaited<ReturnType<typeof startTestNode>>;
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => ({}) as Record<string, unknown>,
    (e: Record<string, unknown>) => e,
  );

beforeAll(async () => {
  t = await startTestNode({
    users: [
      ['olga', 'ops', 'secp256r1', 'hosted', 'operator'],
      ['alice', 'p1', 'secp256r1', 'hosted', 'admin'],
      ['bob', 'p1', 'sm2', 'hosted', 'member'],
      ['mallory', 'p2', 'secp256k1', 'hosted', 'admin'],
    ],
  });
});
afterAll(() => t?.stop());

describe('portals at run time', () => {
  test('an operator creates, reads, updates and lists portals with their policies (REST)', async () => {
    const olga = t.users['olga']!.rest;
    const created = await olga.createPortal({ code: 'cn-rest', name: 'Mainland', policy: { frameworks: ['fabric'], networks: [] } });
    expect(created).toMatchObject({ code: 'cn-rest', name: 'Mainland', policy: { frameworks: ['fabric'], networks: [] } });
    expect(await olga.getPortal('cn-rest')).toMatchObject({ policy: { frameworks: ['fabric'], networks: [] } });
    const updated = await olga.updatePortal('cn-rest', { policy: { frameworks: ['fabric', 'memory'] } });
    expect(updated).toMatchObject({ name: 'Mainland', policy: { frameworks: ['fabric', 'memory'] } });
    const { portals } = await olga.listPortals();
    expect(portals.map((p) => p.code)).toEqual(expect.arrayContaining(['cn-rest', 'ops', 'p1', 'p2']));
    const again = await refusal(olga.createPortal({ code: 'cn-rest' }));
    expect(again).toMatchObject({ code: 'CONFLICT', field: '/code', status: 409 });
  });

  test('the same over gRPC', async () => {
    const olga = t.users['olga']!.grpc;
    const created = await olga.createPortal({ code: 'cn-grpc', policyJson: JSON.stringify({ frameworks: ['fabric'] }) });
    expect(JSON.parse(String(created['policyJson']))).toEqual({ frameworks: ['fabric'] });
    const updated = await olga.updatePortal({ code: 'cn-grpc', name: 'Renamed' });
    expect(updated).toMatchObject({ name: 'Renamed' });
    expect(JSON.parse(String(updated['policyJson']))).toEqual({ frameworks: ['fabric'] });
    const list = (await olga.listPortals())['portals'] as Array<{ code: string }>;
    expect(list.map((p) => p.code)).toContain('cn-grpc');
  });

  test('nobody but an operator manages portals: a portal admin and a member are refused on both APIs', async () => {
    for (const who of ['alice', 'bob']) {
      const u = t.users[who]!;
      expect(await refusal(u.rest.createPortal({ code: `evil-${who}` }))).toMatchObject({ reason: 'not-operator', status: 403 });
      expect(await refusal(u.rest.updatePortal('p1', { policy: {} }))).toMatchObject({ reason: 'not-operator', status: 403 });
      expect(await refusal(u.rest.listPortals())).toMatchObject({ reason: 'not-operator', status: 403 });
      expect(await refusal(u.rest.operatorOverview())).toMatchObject({ reason: 'not-operator', status: 403 });
      expect(await refusal(u.grpc.createPortal({ code: `evil-${who}` }))).toMatchObject({ reason: 'not-operator', grpcCode: 7 });
      expect(await refusal(u.grpc.updatePortal({ code: 'p1', name: 'x' }))).toMatchObject({ reason: 'not-operator', grpcCode: 7 });
      expect(await refusal(u.grpc.operatorOverview())).toMatchObject({ reason: 'not-operator', grpcCode: 7 });
    }
    // Nothing was created or changed by the refused calls.
    const { portals } = await t.users['olga']!.rest.listPortals();
    expect(portals.map((p) => p.code).filter((c) => c.startsWith('evil'))).toEqual([]);
    expect(portals.find((p) => p.code === 'p1')).toMatchObject({ name: 'p1', policy: {} });
  });

  test("a portal's users read their own portal; another portal answers like a missing one", async () => {
    const bob = t.users['bob']!.rest;
    expect(await bob.getPortal('p1')).toMatchObject({ code: 'p1', policy: {} });
    const other = await refusal(bob.getPortal('p2'));
    const missing = await refusal(bob.getPortal('no-such-portal'));
    expect(other).toMatchObject({ reason: 'portal-not-found', status: 404 });
    expect(missing).toMatchObject({ reason: 'portal-not-found', status: 404 });
    expect(String(other['message']).replace('p2', 'X')).toBe(String(missing['message']).replace('no-such-portal', 'X'));
  });

  test('bad input gets a clear error naming the field', async () => {
    const olga = t.users['olga']!.rest;
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ name: 'no code' }, '/code'],
      [{ code: 'bad code!' }, '/code'],
      [{ code: 'x1', policy: 'fabric' }, '/policy'],
      [{ code: 'x2', policy: { frameworks: 'fabric' } }, '/policy/frameworks'],
      [{ code: 'x3', policy: { frameworks: ['fabric', 7] } }, '/policy/frameworks/1'],
      [{ code: 'x4', policy: { chains: [] } }, '/policy/chains'],
    ];
    for (const [body, field] of cases) {
      const e = await refusal(olga.call('POST', '/v1/portals', { body }));
      expect(e, JSON.stringify(body)).toMatchObject({ code: 'INVALID_INPUT', reason: 'invalid-field', field, status: 400 });
      expect(String(e['message'])).toContain(field);
    }
    expect(await refusal(olga.updatePortal('p1', {}))).toMatchObject({ field: '/', status: 400 });
    expect(await refusal(olga.updatePortal('nowhere', { name: 'x' }))).toMatchObject({ reason: 'portal-not-found', status: 404 });
    expect(await refusal(t.users['olga']!.grpc.createPortal({ code: 'x5', policyJson: '{not json' }))).toMatchObject({
      reason: 'malformed-body',
      field: '/policy_json',
      grpcCode: 3,
    });
  });
});

describe('users of a portal at run time', () => {
  test('an operator registers a user in any portal, who can then sign requests', async () => {
    const olga = t.users['olga']!.rest;
    await olga.createPortal({ code: 'fresh' });
    const k = newKey('secp256r1');
    const user = await olga.createPortalUser('fresh', { code: 'fred', algorithm: 'secp256r1', publicKey: k.publicKey, role: 'admin' });
    expect(user).toMatchObject({ code: 'fred', portal: 'fresh', role: 'admin', keyMode: 'hosted' });
    const fred = new BsnClient({ baseUrl: t.node.restUrl, user: 'fred', algorithm: 'secp256r1', privateKey: k.privateKey });
    expect(await fred.me()).toMatchObject({ code: 'fred', portal: 'fresh' });
    expect((await olga.listPortalUsers('fresh')).users.map((u) => u.code)).toEqual(['fred']);
    const viaGrpc = await t.users['olga']!.grpc.createPortalUser({
      portal: 'fresh',
      code: 'gina',
      algorithm: 'secp256r1',
      publicKey: k.publicKey,
    });
    expect(viaGrpc).toMatchObject({ code: 'gina', portal: 'fresh', role: 'member' });
  });

  test('a portal admin registers users of their own portal only, and never an operator', async () => {
    const alice = t.users['alice']!;
    const k = newKey('secp256k1');
    expect(await alice.rest.createPortalUser('p1', { code: 'pete', algorithm: 'secp256k1', publicKey: k.publicKey })).toMatchObject({
      portal: 'p1',
      role: 'member',
    });
    const elsewhere = await refusal(alice.rest.createPortalUser('p2', { code: 'spy', algorithm: 'secp256k1', publicKey: k.publicKey }));
    expect(elsewhere).toMatchObject({ reason: 'not-portal-admin', status: 403 });
    const escalate = [
      refusal(alice.rest.createPortalUser('p1', { code: 'root1', algorithm: 'secp256k1', publicKey: k.publicKey, role: 'operator' })),
      refusal(alice.rest.createUser({ code: 'root2', algorithm: 'secp256k1', publicKey: k.publicKey, role: 'operator' })),
      refusal(
        alice.grpc.createPortalUser({ portal: 'p1', code: 'root3', algorithm: 'secp256k1', publicKey: k.publicKey, role: 'operator' }),
      ),
    ];
    for (const e of await Promise.all(escalate)) expect(e).toMatchObject({ reason: 'not-operator' });
    expect(await refusal(alice.rest.updatePortalUser('p1', 'alice', { role: 'operator' }))).toMatchObject({
      reason: 'not-operator',
      status: 403,
    });
    expect(await refusal(alice.grpc.updatePortalUser({ portal: 'p1', code: 'alice', role: 'operator' }))).toMatchObject({
      reason: 'not-operator',
      grpcCode: 7,
    });
    const users = (await t.users['olga']!.rest.listPortalUsers('p1')).users;
    expect(users.filter((u) => u.code.startsWith('root'))).toEqual([]);
    expect(users.find((u) => u.code === 'alice')?.role).toBe('admin');
    const member = await refusal(t.users['bob']!.rest.listPortalUsers('p1'));
    expect(member).toMatchObject({ reason: 'not-portal-admin', status: 403 });
  });

  test("an operator replaces a user's key: the old key is refused at once, the new one signs", async () => {
    const olga = t.users['olga']!.rest;
    const old = newKey('secp256r1');
    await olga.createPortalUser('p1', { code: 'rotating', algorithm: 'secp256r1', publicKey: old.publicKey });
    const before = new BsnClient({ baseUrl: t.node.restUrl, user: 'rotating', algorithm: 'secp256r1', privateKey: old.privateKey });
    expect(await before.me()).toMatchObject({ code: 'rotating' });
    const next = newKey('sm2');
    expect(await olga.updatePortalUser('p1', 'rotating', { algorithm: 'sm2', publicKey: next.publicKey })).toMatchObject({
      algorithm: 'sm2',
      publicKey: next.publicKey,
    });
    expect(await refusal(before.me())).toMatchObject({ reason: 'bad-signature', status: 401 });
    const after = new BsnClient({ baseUrl: t.node.restUrl, user: 'rotating', algorithm: 'sm2', privateKey: next.privateKey });
    expect(await after.me()).toMatchObject({ code: 'rotating', algorithm: 'sm2' });
    expect(await refusal(olga.updatePortalUser('p2', 'rotating', { role: 'admin' }))).toMatchObject({ reason: 'not-found', status: 404 });
    expect(await refusal(olga.updatePortalUser('p1', 'rotating', {}))).toMatchObject({ field: '/', status: 400 });
    expect(await refusal(olga.call('PATCH', '/v1/portals/p1/users/rotating', { body: { role: 'king' } }))).toMatchObject({
      field: '/role',
      status: 400,
    });
  });
});

describe("the operator's overview", () => {
  test('shows the network healthy with its head block, and apps per portal with their usage', async () => {
    const alice = t.users['alice']!.rest;
    await alice.createApp({ code: 'seen', framework: 'memory' });
    await alice.put('seen', 'k', 'v');
    const o = (await t.users['olga']!.rest.operatorOverview()) as {
      networks: Array<{ name: string; health: { ok: boolean; height?: number }; apps: number; usage: { txs: number } }>;
      portals: Array<{ code: string; apps: Array<{ code: string; usage: { txs: number; storageBytes: number } }> }>;
    };
    const mem = o.networks.find((n) => n.name === 'mem')!;
    expect(mem.health.ok).toBe(true);
    expect(mem.health.height).toBeGreaterThan(0);
    expect(mem.usage.txs).toBeGreaterThanOrEqual(1);
    const seen = o.portals.find((p) => p.code === 'p1')!.apps.find((a) => a.code === 'seen')!;
    expect(seen.usage).toMatchObject({ txs: 1, storageBytes: 2 });
    const grpc = JSON.parse(String((await t.users['olga']!.grpc.operatorOverview())['overviewJson'])) as typeof o;
    expect(grpc.portals.find((p) => p.code === 'p1')!.apps.map((a) => a.code)).toContain('seen');
  });
});
