/**
 * A portal's jurisdiction refuses app creation on anything its policy does not offer, over REST
 * and gRPC alike, before any chain work; widening the policy at run time lets the same request
 * through (so the refusal was the policy's, not something else).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { allowsNetwork, checkJurisdiction, policyField } from './jurisdiction.js';
import { startTestNode } from './testing/test-node.js';

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
      ['chen', 'cn', 'sm2', 'hosted', 'admin'],
      ['nina', 'nets', 'secp256r1', 'hosted', 'admin'],
      ['alice', 'p1', 'secp256r1', 'hosted', 'admin'],
    ],
    // cn offers Fabric and FISCO BCOS only; nets offers no network at all.
    policies: { cn: { frameworks: ['fabric', 'fisco-bcos'] }, nets: { networks: [] } },
  });
});
afterAll(() => t?.stop());

describe('the policy checks', () => {
  test('absent lists allow anything, empty lists nothing', () => {
    const mem = { name: 'mem', framework: 'memory' };
    expect(allowsNetwork({}, mem)).toBe(true);
    expect(allowsNetwork({ frameworks: ['memory'] }, mem)).toBe(true);
    expect(allowsNetwork({ frameworks: [] }, mem)).toBe(false);
    expect(allowsNetwork({ networks: ['other'] }, mem)).toBe(false);
    expect(allowsNetwork({ frameworks: ['memory'], networks: ['mem'] }, mem)).toBe(true);
    expect(() => checkJurisdiction('cn', { frameworks: ['fabric'] }, { framework: 'ethereum' })).toThrow(
      /portal cn does not offer framework ethereum/,
    );
    expect(() => checkJurisdiction('cn', { networks: ['a'] }, { network: 'b' })).toThrow(/does not offer network b/);
    expect(() => checkJurisdiction('cn', { frameworks: ['fabric'] }, {})).not.toThrow();
  });

  test('policies from request bodies: duplicates folded, null is any', () => {
    expect(policyField({ policy: { frameworks: ['a', 'a'], networks: null } })).toEqual({ frameworks: ['a'] });
    expect(policyField({})).toBeUndefined();
  });
});

describe('app creation outside the jurisdiction', () => {
  test('is refused on REST with a typed reason naming the field, and nothing is created', async () => {
    const chen = t.users['chen']!.rest;
    const appsBefore = t.chain.apps.size;
    const e = await refusal(chen.createApp({ code: 'public1', framework: 'memory' }));
    expect(e).toMatchObject({ code: 'UNAUTHORIZED', reason: 'outside-jurisdiction', field: '/framework', status: 403 });
    expect(String(e['message'])).toMatch(/portal cn does not offer framework memory \(its policy offers: fabric, fisco-bcos\)/);
    // Unnamed framework: the node picks the only network, which the policy does not offer either.
    expect(await refusal(chen.createApp({ code: 'public2' }))).toMatchObject({ reason: 'outside-jurisdiction', status: 403 });
    // A framework the node does not even have is still a jurisdiction refusal (not "unknown network").
    expect(await refusal(chen.createApp({ code: 'public3', framework: 'ethereum' }))).toMatchObject({ reason: 'outside-jurisdiction' });
    expect((await chen.listApps()).apps).toEqual([]);
    expect(t.chain.apps.size).toBe(appsBefore);
  });

  test('is refused on gRPC alike', async () => {
    const chen = t.users['chen']!.grpc;
    const e = await refusal(chen.createApp({ code: 'public4', framework: 'memory' }));
    expect(e).toMatchObject({ code: 'UNAUTHORIZED', reason: 'outside-jurisdiction', field: '/framework', grpcCode: 7 });
    expect(await refusal(chen.createApp({ code: 'public5', network: 'mem' }))).toMatchObject({
      reason: 'outside-jurisdiction',
      grpcCode: 7,
    });
    expect((await t.users['chen']!.rest.listApps()).apps).toEqual([]);
  });

  test('a policy of networks refuses a network it does not list', async () => {
    const nina = t.users['nina']!;
    expect(await refusal(nina.rest.createApp({ code: 'n1', network: 'mem' }))).toMatchObject({
      reason: 'outside-jurisdiction',
      field: '/network',
    });
    expect(await refusal(nina.grpc.createApp({ code: 'n2', framework: 'memory' }))).toMatchObject({
      reason: 'outside-jurisdiction',
      field: '/network',
    });
  });

  test('a portal without a policy is not limited, and a widened policy lets the same request through', async () => {
    expect(await t.users['alice']!.rest.createApp({ code: 'free', framework: 'memory' })).toMatchObject({ framework: 'memory' });
    await t.users['olga']!.rest.updatePortal('cn', { policy: { frameworks: ['fabric', 'fisco-bcos', 'memory'] } });
    expect(await t.users['chen']!.rest.createApp({ code: 'public1', framework: 'memory' })).toMatchObject({ code: 'public1' });
    // And narrowed again: refused from the next request on (existing apps stay).
    await t.users['olga']!.grpc.updatePortal({ code: 'cn', policyJson: JSON.stringify({ frameworks: ['fabric'] }) });
    expect(await refusal(t.users['chen']!.grpc.createApp({ code: 'public6', framework: 'memory' }))).toMatchObject({
      reason: 'outside-jurisdiction',
    });
    expect((await t.users['chen']!.rest.listApps()).apps.map((a) => a['code'])).toEqual(['public1']);
  });
});
