/**
 * The pages' API client against a real node: requests signed in WebCrypto pass the node's
 * checks, answers are accepted only with the node's signature for that request, and a page
 * can do no more than its user's key: refusals come back typed, with the field.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { toHex as contractHex } from '@bsn/contract';
import { startTestNode } from '@bsn/city-node/testing';
import { importKeyFile } from './p256.js';
import { ApiRefusal, SignedApi } from './signed-api.js';

let t: Awaited<ReturnType<typeof startTestNode>>;
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as ApiRefusal,
  );

async function apiAs(user: string, fetchImpl?: ConstructorParameters<typeof SignedApi>[2]) {
  const u = t.users[user]!;
  const key = await importKeyFile(
    JSON.stringify({ user, algorithm: 'secp256r1', privateKey: contractHex(u.privateKey), publicKey: u.publicKey }),
  );
  return new SignedApi(t.node.restUrl, { user, privateKey: key.privateKey, publicKey: key.publicKey }, fetchImpl);
}

beforeAll(async () => {
  t = await startTestNode({
    users: [
      ['olga', 'ops', 'secp256r1', 'hosted', 'operator'],
      ['chen', 'cn', 'secp256r1', 'hosted', 'admin'],
      ['bob', 'p1', 'secp256r1', 'hosted', 'member'],
    ],
    policies: { cn: { frameworks: ['fabric'] } },
  });
});
afterAll(() => t?.stop());

describe('the pages’ signed API client', () => {
  test('signs requests the node accepts, with bodies and app headers', async () => {
    const bob = await apiAs('bob');
    expect(await bob.call('GET', '/v1/users/me')).toMatchObject({ code: 'bob', portal: 'p1' });
    expect(await bob.call('POST', '/v1/apps', { body: { code: 'web1', framework: 'memory' } })).toMatchObject({ code: 'web1' });
    await bob.call('PUT', '/v1/apps/web1/kv/greeting', { app: 'web1', body: 'hello' });
    expect(await bob.call('GET', '/v1/apps/web1/kv/greeting', { app: 'web1' })).toMatchObject({ valueText: 'hello' });
    expect(await bob.call('GET', '/v1/apps/web1/kv?prefix=gr', { app: 'web1' })).toMatchObject({ entries: [{ key: 'greeting' }] });
    expect(await bob.call('GET', '/v1/apps/web1/usage', { app: 'web1' })).toMatchObject({ txs: 1 });
  });

  test('refuses an answer that is not the node’s signed answer to this request', async () => {
    let tamper = (body: Uint8Array) => body;
    const api = await apiAs('bob', async (url, init) => {
      const res = await fetch(url, init);
      if (url.endsWith('/v1/node')) return res;
      const body = tamper(new Uint8Array(await res.arrayBuffer()));
      return new Response(body, { status: res.status, headers: res.headers });
    });
    expect(await api.call('GET', '/v1/users/me')).toMatchObject({ code: 'bob' });
    tamper = (body) => new TextEncoder().encode(new TextDecoder().decode(body).replace('"member"', '"operator"'));
    const e = await refusal(api.call('GET', '/v1/users/me'));
    expect(e).toBeInstanceOf(ApiRefusal);
    expect(e?.reason).toBe('bad-node-signature');
  });

  test('a page can do no more than its user’s key: refusals come back typed, naming the field', async () => {
    const bob = await apiAs('bob');
    expect(await refusal(bob.call('GET', '/v1/operator/overview'))).toMatchObject({ status: 403, reason: 'not-operator' });
    expect(await refusal(bob.call('POST', '/v1/portals', { body: { code: 'mine' } }))).toMatchObject({ reason: 'not-operator' });
    const chen = await apiAs('chen');
    expect(await refusal(chen.call('POST', '/v1/apps', { body: { code: 'pub', framework: 'memory' } }))).toMatchObject({
      status: 403,
      reason: 'outside-jurisdiction',
      field: '/framework',
    });
    expect(await refusal(bob.call('POST', '/v1/apps', { body: { code: 'bad code' } }))).toMatchObject({ status: 400, field: '/code' });
    const olga = await apiAs('olga');
    expect(await olga.call('GET', '/v1/operator/overview')).toMatchObject({ portals: expect.any(Array) });
  });
});
