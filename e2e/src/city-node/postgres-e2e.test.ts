/** Two city node instances on one PostgreSQL registry and one anvil serve the same portals and apps. */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BsnClient } from '@bsn/client';
import { CityNode, resolveNodeConfig } from '@bsn/city-node';
import { newKey, silentLogger, skipReason as pgSkipReason, startPostgres, type PostgresServer } from '@bsn/city-node/testing';
import { certifiedPluginCopies, e2eSkipReason, startAnvil, type StartedAnvil } from '../__fixtures__/ethereum-e2e.js';

const e2eSkip = await e2eSkipReason();
const server: PostgresServer | undefined = e2eSkip ? undefined : await startPostgres();
const skip = e2eSkip ?? (server ? undefined : pgSkipReason);
if (skip) console.warn(`two-instance PostgreSQL test skipped: ${skip}`);

describe.skipIf(skip !== undefined)('two node instances on one PostgreSQL registry', () => {
  let anvil: StartedAnvil;
  let plugins: Awaited<ReturnType<typeof certifiedPluginCopies>>;
  let a: CityNode;
  let b: CityNode;
  const key = newKey('secp256k1');
  const warnings: string[] = [];
  const recording = { ...silentLogger, warn: (m: string) => void warnings.push(m) };

  beforeAll(async () => {
    anvil = await startAnvil();
    plugins = await certifiedPluginCopies();
    const url = await server!.newDatabase();
    const endpoint = {
      rpcUrl: anvil.network.rpcUrl,
      chainId: anvil.network.chainId,
      confirmations: 0,
      faucet: anvil.network.faucet,
      pollingIntervalMs: 50,
    };
    const config = (name: string) =>
      resolveNodeConfig(
        {
          node: { name, dataDir: join(plugins.dir, 'shared') },
          listen: { restPort: 0, grpcPort: 0 },
          registry: { kind: 'postgres', url },
          keys: { scryptN: 1024 },
          trust: { certifiers: [plugins.trustFile] },
          plugins: [{ source: plugins.good, certificate: plugins.goodCert, networks: [{ name: 'anvil', endpoint }] }],
          portals: [{ code: 'shared', users: [{ code: 'ops', algorithm: 'secp256k1', publicKey: key.publicKey, role: 'admin' }] }],
        },
        plugins.dir,
      );
    // Started one after the other: the first creates the node key both share.
    a = await CityNode.start({ config: config('pg-a'), passphrase: 'pg', logger: recording });
    b = await CityNode.start({ config: config('pg-b'), passphrase: 'pg', logger: recording });
  }, 240_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await anvil?.stop();
    await server?.stop();
    if (plugins) await rm(plugins.dir, { recursive: true, force: true });
  });

  test('an app created through one instance is served by the other; nonces are shared', async () => {
    const viaA = new BsnClient({ baseUrl: a.restUrl, user: 'ops', algorithm: 'secp256k1', privateKey: key.privateKey });
    const viaB = new BsnClient({ baseUrl: b.restUrl, user: 'ops', algorithm: 'secp256k1', privateKey: key.privateKey });
    expect(a.registry.kind).toBe('postgres');
    await viaA.createApp({ code: 'pg-app' });
    expect((await viaB.listApps()).apps.map((x) => x['code'])).toEqual(['pg-app']);
    await viaA.put('pg-app', 'k', 'written via A');
    expect((await viaB.get('pg-app', 'k'))?.text).toBe('written via A');
    await viaB.put('pg-app', 'k', 'written via B');
    expect((await viaA.history('pg-app', 'k')).entries.map((e) => e.valueText)).toEqual(['written via A', 'written via B']);
    // A request replayed to the other instance is refused: the nonce store is the shared registry.
    const nonce = 'shared-nonce-0000000001';
    expect((await viaA.raw('GET', '/v1/apps/pg-app/kv/k', { app: 'pg-app', nonce })).status).toBe(200);
    const replay = await viaB.raw('GET', '/v1/apps/pg-app/kv/k', { app: 'pg-app', nonce });
    expect([replay.status, JSON.parse(replay.body.toString()).error.reason]).toEqual([401, 'nonce-replayed']);
    // Metering adds up across instances, once each has written its counts behind (every 200 ms).
    await expect.poll(async () => (await viaB.usage('pg-app')).txs, { timeout: 5000 }).toBe(2);
  });

  test('the same request id sent to both instances at once is broadcast once and counted once', async () => {
    const viaA = new BsnClient({ baseUrl: a.restUrl, user: 'ops', algorithm: 'secp256k1', privateKey: key.privateKey });
    const viaB = new BsnClient({ baseUrl: b.restUrl, user: 'ops', algorithm: 'secp256k1', privateKey: key.privateKey });
    await viaA.createApp({ code: 'pg-once' });
    await viaA.put('pg-once', 'warm', 'up'); // the user's chain account exists before the race
    const rpc = async (method: string, params: unknown[]) =>
      (
        (await (
          await fetch(anvil.network.rpcUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
          })
        ).json()) as { result: any }
      ).result;
    const before = Number(await rpc('eth_blockNumber', []));
    const usageBefore = (await viaA.usage('pg-once')).txs;
    for (let i = 0; i < 20; i++) {
      const requestId = `race-${i}`;
      const [x, y] = await Promise.all([
        viaA.put('pg-once', `k${i}`, `v${i}`, requestId),
        viaB.put('pg-once', `k${i}`, `v${i}`, requestId),
      ]);
      expect(x.txId).toBe(y.txId);
    }
    const after = Number(await rpc('eth_blockNumber', []));
    let broadcast = 0;
    for (let n = before + 1; n <= after; n++)
      broadcast += ((await rpc('eth_getBlockByNumber', [`0x${n.toString(16)}`, false])) as { transactions: unknown[] }).transactions.length;
    expect(broadcast).toBe(20);
    expect((await viaB.usage('pg-once')).txs - usageBefore).toBe(20);
  });

  test('the same user registered and the same app created on both instances at once: one wins, the user signs with the registered key everywhere', async () => {
    const viaA = new BsnClient({ baseUrl: a.restUrl, user: 'ops', algorithm: 'secp256k1', privateKey: key.privateKey });
    const viaB = new BsnClient({ baseUrl: b.restUrl, user: 'ops', algorithm: 'secp256k1', privateKey: key.privateKey });
    const dana = newKey('secp256r1');
    const registrations = await Promise.allSettled([
      viaA.createUser({ code: 'dana', algorithm: 'secp256r1', publicKey: dana.publicKey }),
      viaB.createUser({ code: 'dana', algorithm: 'secp256r1', publicKey: dana.publicKey }),
    ]);
    expect(registrations.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((registrations.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ code: 'CONFLICT' });

    const creations = await Promise.allSettled([
      viaA.createApp({ code: 'pg-race', members: ['dana'] }),
      viaB.createApp({ code: 'pg-race', members: ['dana'] }),
    ]);
    expect(creations.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((creations.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ code: 'CONFLICT' });
    expect(warnings.filter((w) => w.includes('adopted'))).toEqual([]);

    // Dana writes through either instance with the identity the registry holds: a member on chain.
    const danaVia = (node: CityNode) =>
      new BsnClient({ baseUrl: node.restUrl, user: 'dana', algorithm: 'secp256r1', privateKey: dana.privateKey });
    await danaVia(a).put('pg-race', 'k', 'via A');
    await danaVia(b).put('pg-race', 'k', 'via B');
    expect((await danaVia(a).get('pg-race', 'k'))?.text).toBe('via B');
  });
});
