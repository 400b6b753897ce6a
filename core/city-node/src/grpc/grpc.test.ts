import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BsnGrpcClient, NodeResponseError, type GrpcEventMessage as GrpcEvent } from '@bsn/client';
import * as grpc from '@grpc/grpc-js';
import { HEADERS, methodPath, requestDigest, verifyResponse } from '@bsn/protocol';
import { startTestNode } from '../testing/test-node.js';
import { grpcReceiveCap } from './server.js';

let t: Awaited<ReturnType<typeof startTestNode>>;
beforeAll(async () => {
  t = await startTestNode();
  await t.users['alice']!.grpc.createApp({ code: 'g1', members: ['bob'] });
  await t.users['mallory']!.rest.createApp({ code: 'elsewhere' });
});
afterAll(async () => {
  await t?.stop();
});

async function failure(p: Promise<unknown>): Promise<NodeResponseError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof NodeResponseError)) throw new Error(`expected a gRPC error, got ${String(e)}`);
  return e;
}

describe('gRPC gateway on an in-memory chain', () => {
  test('put / get / history / list / delete with verified responses; REST sees the same data', async () => {
    const alice = t.users['alice']!.grpc;
    const r = await alice.put('g1', 'k', 'one');
    expect(String(r['txId'])).toMatch(/^0x/);
    await t.users['bob']!.grpc.put('g1', 'k', 'two');
    const got = await alice.get('g1', 'k');
    expect(Buffer.from(got['value'] as Buffer).toString()).toBe('two');
    const h = await alice.history('g1', 'k');
    expect((h['entries'] as Array<{ value: Buffer }>).map((e) => Buffer.from(e.value).toString())).toEqual(['one', 'two']);
    expect((await t.users['alice']!.rest.get('g1', 'k'))?.text).toBe('two');
    const page = await alice.list('g1', '');
    expect((page['entries'] as Array<{ key: string }>).map((e) => e.key)).toEqual(['k']);
    await alice.delete('g1', 'k');
    const e = await failure(alice.get('g1', 'k'));
    expect([e.code, e.reason, e.verified]).toEqual(['NOT_FOUND', 'not-found', true]);
    expect(((await alice.listApps())['apps'] as Array<{ code: string }>).map((a) => a.code)).toContain('g1');
  });

  test('generic submit and evaluate', async () => {
    const alice = t.users['alice']!.grpc;
    await alice.submit('g1', 'put', ['gk', new Uint8Array([1, 2, 3])], 'g-req-1');
    const r = await alice.evaluate('g1', 'get', ['gk']);
    expect([...(r['result'] as Buffer)]).toEqual([1, 2, 3]);
  });

  test('refusals carry the code and reason, signed by the node; nothing written', async () => {
    const alice = t.users['alice']!;
    const height = t.chain.height;
    const forged = new BsnGrpcClient({
      address: t.node.grpcAddress,
      user: 'alice',
      algorithm: 'secp256r1',
      privateKey: new Uint8Array(32).fill(9),
    });
    let e = await failure(forged.put('g1', 'x', 'y'));
    // Credentials that do not establish who is calling: UNAUTHENTICATED (16), not PERMISSION_DENIED.
    expect([e.grpcCode, e.code, e.reason]).toEqual([16, 'UNAUTHORIZED', 'bad-signature']);
    forged.close();
    await alice.grpc.unary('KvGet', { app: 'g1', key: 'gk' }, 'g1', { nonce: 'grpc-replay-0123456789' });
    e = await failure(
      alice.grpc.unary('KvPut', { app: 'g1', key: 'x', value: Buffer.from('y'), requestId: '' }, 'g1', { nonce: 'grpc-replay-0123456789' }),
    );
    expect([e.grpcCode, e.reason]).toEqual([16, 'nonce-replayed']);
    e = await failure(
      alice.grpc.unary('KvPut', { app: 'g1', key: 'x', value: Buffer.from('y'), requestId: '' }, 'g1', {
        timestamp: Date.now() - 3_600_000,
      }),
    );
    expect(e.reason).toBe('stale-timestamp');
    e = await failure(alice.grpc.put('elsewhere', 'x', 'y'));
    expect([e.grpcCode, e.code, e.reason]).toEqual([5, 'NOT_FOUND', 'app-not-found']);
    expect(e.verified).toBe(true);
    // An app of another portal answers as if it did not exist.
    e = await failure(t.users['mallory']!.grpc.put('g1', 'x', 'y'));
    expect([e.grpcCode, e.code]).toEqual([5, 'NOT_FOUND']);
    expect(t.chain.height).toBe(height);
  });

  test("an oversized body gets the node's signed body-too-large up to the cap; past it gRPC cuts it unread", async () => {
    const alice = t.users['alice']!.grpc;
    const height = t.chain.height;
    const limit = 65536;
    for (const size of [limit + 1, limit + 10_000, limit * 2]) {
      const e = await failure(alice.put('g1', 'big', Buffer.alloc(size, 1)));
      expect([e.grpcCode, e.code, e.reason, e.verified]).toEqual([3, 'INVALID_INPUT', 'body-too-large', true]);
    }
    const e = await failure(alice.put('g1', 'big', Buffer.alloc(grpcReceiveCap(limit) + 1, 1)));
    expect([e.grpcCode, e.verified]).toEqual([8, false]);
    expect(e.message).toMatch(/larger than max/);
    expect(t.chain.height).toBe(height);
  });

  test('events stream from a checkpoint and resume without gaps', async () => {
    const alice = t.users['alice']!.grpc;
    await alice.createApp({ code: 'gfeed' });
    for (let i = 0; i < 4; i++) await alice.put('gfeed', `e${i}`, 'v');
    const first: GrpcEvent[] = [];
    for await (const e of alice.events('gfeed', { limit: 2 })) first.push(e);
    expect(first.map((e) => Buffer.from(e['payload'] as Buffer).toString())).toEqual(['e0', 'e1']);
    expect(first.every((e) => e.verified)).toBe(true);
    const rest: GrpcEvent[] = [];
    const reading = (async () => {
      for await (const e of alice.events('gfeed', { after: first[1]!.id, limit: 3 })) rest.push(e);
    })();
    await alice.put('gfeed', 'e4', 'live');
    await reading;
    expect(rest.map((e) => Buffer.from(e['payload'] as Buffer).toString())).toEqual(['e2', 'e3', 'e4']);
  });

  test('tenancy over gRPC: me, user registration by the portal admin, admission, two-sided grants', async () => {
    const alice = t.users['alice']!.grpc;
    expect((await alice.unary('Me', {}, ''))['code']).toBe('alice');
    const { newKey } = await import('../testing/test-node.js');
    const key = newKey('secp256k1');
    const u = await alice.unary(
      'CreateUser',
      { code: 'grpc-user', algorithm: 'secp256k1', publicKey: key.publicKey, keyMode: 'hosted', role: 'member' },
      '',
    );
    expect([u['portal'], u['keyMode']]).toEqual(['p1', 'hosted']);
    const e = await failure(
      t.users['bob']!.grpc.unary('CreateUser', { code: 'nope', algorithm: 'secp256k1', publicKey: key.publicKey }, ''),
    );
    expect(e.reason).toBe('not-portal-admin');
    const app = await alice.unary('AdmitUser', { app: 'g1', user: 'grpc-user' }, 'g1');
    expect(app['members']).toContain('grpc-user');
    await alice.createApp({ code: 'g2' });
    expect((await alice.unary('Grant', { app: 'g1', peer: 'g2', direction: 'outgoing', methods: ['put'] }, 'g1'))['effective']).toBe(false);
    expect((await alice.unary('Grant', { app: 'g2', peer: 'g1', direction: 'incoming' }, 'g2'))['effective']).toBe(true);
    expect(
      ((await alice.unary('ListGrants', { app: 'g1' }, 'g1'))['grants'] as Msg[]).map((g) => [
        g['sourceApp'],
        g['targetApp'],
        g['effective'],
      ]),
    ).toEqual([['p1:g1', 'p1:g2', true]]);
  });

  test("bytes that are not the method's message get a signed INVALID_ARGUMENT, not an unsigned INTERNAL", async () => {
    const client = new grpc.Client(t.node.grpcAddress, grpc.credentials.createInsecure());
    const garbage = Buffer.from([0xff, 0xff, 0xff, 0xff]);
    const path = methodPath('KvPut');
    const outcome = await new Promise<{ error: grpc.ServiceError; trailers: grpc.Metadata }>((resolve) => {
      let error: grpc.ServiceError | undefined;
      const call = client.makeUnaryRequest(
        path,
        (b: Buffer) => b,
        (b: Buffer) => b,
        garbage,
        new grpc.Metadata(),
        (e) => (error = e ?? undefined),
      );
      call.on('status', (s) => setImmediate(() => resolve({ error: error!, trailers: s.metadata })));
    });
    client.close();
    expect(outcome.error.code).toBe(grpc.status.INVALID_ARGUMENT);
    const json = String(outcome.error.metadata.get('x-bsn-error-bin')[0]);
    expect(JSON.parse(json).error).toMatchObject({ code: 'INVALID_INPUT', reason: 'malformed-body' });
    const key = (await t.users['alice']!.rest.node()).key;
    const digest = requestDigest({ method: 'GRPC', path, query: '', body: garbage, user: '', app: '', timestamp: '', nonce: '' }, '');
    const signature = String(outcome.error.metadata.get(HEADERS.nodeSignature)[0]);
    expect(verifyResponse(key, grpc.status.INVALID_ARGUMENT, Buffer.from(json), digest, signature)).toBe(true);
  });
});

type Msg = Record<string, unknown>;
