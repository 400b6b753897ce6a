/**
 * End to end: a city node loading the real Ethereum adapter plugin through the PluginHost,
 * on a real anvil, over real HTTP and gRPC. An uncertified and a tampered copy of the same
 * plugin in the config are refused with a log line naming the reason.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BsnClient, NodeResponseError, type EventMessage, BsnGrpcClient } from '@bsn/client';
import { signDigest, fromHex, toHex } from '@bsn/contract';
import { CityNode, resolveNodeConfig } from '@bsn/city-node';
import { newKey } from '@bsn/city-node/testing';
import { certifiedPluginCopies, e2eSkipReason, startAnvil, type StartedAnvil } from '../__fixtures__/ethereum-e2e.js';

const skip = await e2eSkipReason();
if (skip) console.warn(`Ethereum end-to-end tests skipped: ${skip}`);

describe.skipIf(skip !== undefined)('city node end to end on anvil with the Ethereum adapter', () => {
  let anvil: StartedAnvil;
  let node: CityNode;
  let plugins: Awaited<ReturnType<typeof certifiedPluginCopies>>;
  const logs: string[] = [];
  const keys = { alice: newKey('secp256r1'), bob: newKey('sm2'), carol: newKey('secp256k1'), mallory: newKey('secp256k1') };
  const carolChain = newKey('secp256k1');
  let alice: BsnClient;
  let bob: BsnClient;
  let carol: BsnClient;
  let mallory: BsnClient;
  let aliceGrpc: BsnGrpcClient;

  beforeAll(async () => {
    anvil = await startAnvil();
    plugins = await certifiedPluginCopies();
    const endpoint = {
      rpcUrl: anvil.network.rpcUrl,
      chainId: anvil.network.chainId,
      confirmations: 0,
      faucet: anvil.network.faucet,
      pollingIntervalMs: 50,
    };
    const dataDir = `${plugins.dir}/node`;
    const config = resolveNodeConfig(
      {
        node: { name: 'e2e', dataDir },
        listen: { restPort: 0, grpcPort: 0 },
        keys: { scryptN: 1024 },
        limits: { bodyBytes: 65536 },
        trust: { certifiers: [plugins.trustFile] },
        plugins: [
          { source: plugins.uncertified, networks: [{ name: 'never-1', endpoint }] },
          { source: plugins.tampered, certificate: plugins.tamperedCert, networks: [{ name: 'never-2', endpoint }] },
          { source: plugins.good, certificate: plugins.goodCert, networks: [{ name: 'anvil', endpoint }] },
        ],
        portals: [
          {
            code: 'p1',
            users: [
              { code: 'alice', algorithm: 'secp256r1', publicKey: keys.alice.publicKey, role: 'admin' },
              { code: 'bob', algorithm: 'sm2', publicKey: keys.bob.publicKey },
              { code: 'carol', algorithm: 'secp256k1', publicKey: keys.carol.publicKey, keyMode: 'user' },
            ],
          },
          { code: 'p2', users: [{ code: 'mallory', algorithm: 'secp256k1', publicKey: keys.mallory.publicKey }] },
        ],
      },
      plugins.dir,
    );
    const logger = {
      debug() {},
      info: (m: string) => logs.push(`info ${m}`),
      warn: (m: string) => logs.push(`warn ${m}`),
      error: (m: string) => logs.push(`error ${m}`),
    };
    node = await CityNode.start({ config, passphrase: 'e2e', logger });
    const client = (user: keyof typeof keys, algorithm: 'secp256r1' | 'sm2' | 'secp256k1') =>
      new BsnClient({ baseUrl: node.restUrl, user, algorithm, privateKey: keys[user].privateKey });
    alice = client('alice', 'secp256r1');
    bob = client('bob', 'sm2');
    carol = client('carol', 'secp256k1');
    mallory = client('mallory', 'secp256k1');
    aliceGrpc = new BsnGrpcClient({ address: node.grpcAddress, user: 'alice', algorithm: 'secp256r1', privateKey: keys.alice.privateKey });
    await alice.createApp({ code: 'e2e-kv', framework: 'ethereum', members: ['bob'] });
    await mallory.createApp({ code: 'e2e-other' });
  }, 240_000);

  afterAll(async () => {
    aliceGrpc?.close();
    await node?.stop();
    await anvil?.stop();
    if (plugins) await rm(plugins.dir, { recursive: true, force: true });
  });

  test('the uncertified and the tampered plugin are refused with a clear log line; the certified one serves', () => {
    expect(node.plugins.map((p) => [p.loaded, p.reason ?? 'ok'])).toEqual([
      [false, 'certificate-missing'],
      [false, 'digest-mismatch'],
      [true, 'ok'],
    ]);
    expect(logs.some((l) => /^error plugin @bsn\/adapter-ethereum@\S+ NOT loaded — refused \(certificate-missing\)/.test(l))).toBe(true);
    expect(
      logs.some((l) =>
        /^error plugin @bsn\/adapter-ethereum@\S+ NOT loaded — refused \(digest-mismatch\): content digest .* does not match/.test(l),
      ),
    ).toBe(true);
    expect(node.networks.all().map((n) => [n.name, n.certified])).toEqual([['anvil', true]]);
  });

  test('REST: put / get / history / list / delete on Ethereum, every response verified', async () => {
    const r1 = await alice.put('e2e-kv', 'city/tokyo', 'sunny');
    expect(r1.txId).toMatch(/^0x[0-9a-f]{64}$/);
    await bob.put('e2e-kv', 'city/tokyo', 'rain'); // SM2-signed request, hosted secp256k1 chain key
    expect((await alice.get('e2e-kv', 'city/tokyo'))?.text).toBe('rain');
    const h = await bob.history('e2e-kv', 'city/tokyo');
    expect(h.entries.map((e) => e.valueText)).toEqual(['sunny', 'rain']);
    expect(h.entries[0]!.txId).toBe(r1.txId);
    await alice.put('e2e-kv', 'city/osaka', 'cloudy');
    expect((await alice.list('e2e-kv', 'city/')).entries.map((e) => e.key)).toEqual(['city/osaka', 'city/tokyo']);
    await alice.delete('e2e-kv', 'city/osaka');
    expect(await alice.get('e2e-kv', 'city/osaka')).toBeNull();
    expect((await alice.history('e2e-kv', 'city/osaka')).entries.map((e) => e.deleted)).toEqual([false, true]);
    // idempotent on the request id: the same receipt, no second transaction
    const once = await alice.put('e2e-kv', 'idem', 'v', 'idem-1');
    const twice = await alice.put('e2e-kv', 'idem', 'v', 'idem-1');
    expect(twice).toEqual(once);
    expect((await alice.history('e2e-kv', 'idem')).entries).toHaveLength(1);
  });

  test('gRPC: put / get / history on the same app, verified; REST and gRPC see the same state', async () => {
    await aliceGrpc.put('e2e-kv', 'grpc/key', 'from-grpc');
    const got = await aliceGrpc.get('e2e-kv', 'grpc/key');
    expect(Buffer.from(got['value'] as Buffer).toString()).toBe('from-grpc');
    await alice.put('e2e-kv', 'grpc/key', 'from-rest');
    const h = await aliceGrpc.history('e2e-kv', 'grpc/key');
    expect((h['entries'] as Array<{ value: Buffer }>).map((e) => Buffer.from(e.value).toString())).toEqual(['from-grpc', 'from-rest']);
  });

  test('user-key mode: the client signs the prepared Ethereum transaction, the node relays it', async () => {
    await carol.setChainKey('ethereum', { algorithm: 'secp256k1', publicKey: carolChain.publicKey });
    await alice.admit('e2e-kv', 'carol');
    const p = await carol.prepare(
      'e2e-kv',
      'put',
      ['user-key', { base64: Buffer.from('signed by carol').toString('base64') }],
      'carol-req-1',
    );
    const sig = signDigest('secp256k1', carolChain.privateKey, fromHex(p.digest.replace(/^0x/, '')));
    const receipt = await carol.submitPrepared('e2e-kv', p.preparedId, {
      compact: toHex(sig.compact),
      ...(sig.recovery !== undefined && { recovery: sig.recovery }),
    });
    expect(receipt['requestId']).toBe('carol-req-1');
    expect((await carol.get('e2e-kv', 'user-key'))?.text).toBe('signed by carol');
  });

  test('user-key mode over gRPC: Prepare, sign, SubmitPrepared', async () => {
    const carolGrpc = new BsnGrpcClient({
      address: node.grpcAddress,
      user: 'carol',
      algorithm: 'secp256k1',
      privateKey: keys.carol.privateKey,
    });
    try {
      const p = await carolGrpc.unary(
        'Prepare',
        { app: 'e2e-kv', method: 'put', args: [{ text: 'grpc-user-key' }, { raw: Buffer.from('via grpc') }], requestId: 'carol-grpc-1' },
        'e2e-kv',
      );
      const sig = signDigest('secp256k1', carolChain.privateKey, fromHex(String(p['digest']).replace(/^0x/, '')));
      const r = await carolGrpc.unary(
        'SubmitPrepared',
        {
          app: 'e2e-kv',
          preparedId: p['preparedId'],
          signature: toHex(sig.compact),
          recovery: sig.recovery ?? 0,
          hasRecovery: sig.recovery !== undefined,
        },
        'e2e-kv',
      );
      expect(r['requestId']).toBe('carol-grpc-1');
      expect(Buffer.from((await carolGrpc.get('e2e-kv', 'grpc-user-key'))['value'] as Buffer).toString()).toBe('via grpc');
    } finally {
      carolGrpc.close();
    }
  });

  test('refusals get a 4xx naming the problem and write nothing', async () => {
    const forged = new BsnClient({
      baseUrl: node.restUrl,
      user: 'alice',
      algorithm: 'secp256r1',
      privateKey: newKey('secp256r1').privateKey,
    });
    const codes: string[] = [];
    const refusal = async (p: Promise<unknown>) => {
      const e = await p.then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(NodeResponseError);
      codes.push(`${(e as NodeResponseError).status} ${(e as NodeResponseError).reason}`);
    };
    await refusal(forged.put('e2e-kv', 'refused/forged', 'x'));
    const nonce = 'e2e-replay-nonce-000001';
    expect((await alice.raw('GET', '/v1/apps/e2e-kv/kv/city/tokyo', { app: 'e2e-kv', nonce })).status).toBe(200);
    const replay = await alice.raw('PUT', '/v1/apps/e2e-kv/kv/refused/replay', { app: 'e2e-kv', body: 'x', nonce });
    codes.push(`${replay.status} ${JSON.parse(replay.body.toString()).error.reason}`);
    const stale = await alice.raw('PUT', '/v1/apps/e2e-kv/kv/refused/stale', {
      app: 'e2e-kv',
      body: 'x',
      timestamp: Date.now() - 6 * 60_000,
    });
    codes.push(`${stale.status} ${JSON.parse(stale.body.toString()).error.reason}`);
    await refusal(mallory.put('e2e-kv', 'refused/portal', 'x'));
    const big = await alice.raw('PUT', '/v1/apps/e2e-kv/kv/refused/big', { app: 'e2e-kv', body: new Uint8Array(100_000) });
    codes.push(`${big.status} ${JSON.parse(big.body.toString()).error.reason}`);
    const bad = await alice.raw('POST', '/v1/apps/e2e-kv/transactions', {
      app: 'e2e-kv',
      body: '{not json',
      headers: { 'content-type': 'application/json' },
    });
    codes.push(`${bad.status} ${JSON.parse(bad.body.toString()).error.reason}`);
    expect(codes).toEqual([
      '401 bad-signature',
      '401 nonce-replayed',
      '401 stale-timestamp',
      '404 app-not-found',
      '413 body-too-large',
      '400 malformed-body',
    ]);
    expect((await alice.list('e2e-kv', 'refused/')).entries).toEqual([]);
  });

  test('SSE events resume from the last checkpoint with no gaps; gRPC streams the same events', async () => {
    await alice.createApp({ code: 'e2e-feed' });
    for (let i = 0; i < 4; i++) await alice.put('e2e-feed', `k${i}`, `v${i}`);
    const first: EventMessage[] = [];
    for await (const e of alice.events('e2e-feed', { limit: 2 })) first.push(e);
    const rest: typeof first = [];
    const reading = (async () => {
      for await (const e of alice.events('e2e-feed', { after: first[1]!.id, limit: 3 })) rest.push(e);
    })();
    await alice.put('e2e-feed', 'k4', 'live');
    await reading;
    expect([...first, ...rest].map((e) => e.payloadText)).toEqual(['k0', 'k1', 'k2', 'k3', 'k4']);
    expect([...first, ...rest].every((e) => e.verified && e.name === 'kv.put')).toBe(true);
    const viaGrpc = [];
    for await (const e of aliceGrpc.events('e2e-feed', { after: first[0]!.id, limit: 4 })) viaGrpc.push(e.id);
    expect(viaGrpc).toEqual([...first.slice(1), ...rest].map((e) => e.id));
  });

  test("metering counts the Ethereum app's transactions and bandwidth", async () => {
    const u = await alice.usage('e2e-feed');
    expect(u.txs).toBe(5);
    expect(u.bytesOut).toBeGreaterThan(0);
    const metrics = await (await fetch(`${node.restUrl}/metrics`)).text();
    expect(metrics).toMatch(/bsn_app_transactions_total\{app="p1:e2e-feed"\} 5/);
  });

  test('--dev loads the uncertified plugin with a loud warning; without it the plugin is refused', async () => {
    const endpoint = {
      rpcUrl: anvil.network.rpcUrl,
      chainId: anvil.network.chainId,
      confirmations: 0,
      faucet: anvil.network.faucet,
      pollingIntervalMs: 50,
    };
    const config = resolveNodeConfig(
      {
        node: { name: 'dev', dataDir: `${plugins.dir}/dev-node` },
        listen: { restPort: 0, grpc: false },
        keys: { scryptN: 1024 },
        plugins: [{ source: plugins.uncertified, networks: [{ name: 'anvil-dev', endpoint }] }],
      },
      plugins.dir,
    );
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error: (m: string) => warnings.push(m) };
    const dev = await CityNode.start({ config, passphrase: 'dev', dev: true, logger });
    try {
      expect(dev.networks.all().map((n) => [n.name, n.certified])).toEqual([['anvil-dev', false]]);
      expect(warnings.some((w) => w.startsWith('DEVELOPMENT MODE: loading uncertified plugin @bsn/adapter-ethereum'))).toBe(true);
    } finally {
      await dev.stop();
    }
  });
});
