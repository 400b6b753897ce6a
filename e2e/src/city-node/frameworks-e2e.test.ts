/**
 * Every bundled adapter that is built and whose local devnet runs here: certified, loaded by a
 * city node, and put / get / history through both REST and gRPC. (Ethereum on anvil today;
 * each framework whose adapter lands is covered without changing this file.)
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BsnClient, BsnGrpcClient } from '@bsn/client';
import type { Devnet } from '@bsn/contract';
import { CityNode, resolveNodeConfig } from '@bsn/city-node';
import { loadDevnetProvider } from '@bsn/plugin-host';
import { newKey, silentLogger } from '@bsn/city-node/testing';
import { bundledAdapters, certifiedCopy } from '../__fixtures__/ethereum-e2e.js';

const targets: Array<{ name: string; folder: string; framework: string; devnet: string; make: () => Devnet }> = [];
for (const a of await bundledAdapters()) {
  if (!a.built) {
    console.warn(`frameworks e2e: ${a.name} skipped: not built`);
    continue;
  }
  const provider = await loadDevnetProvider(a.folder);
  const devnet = provider?.local;
  const make = devnet ? provider.devnets[devnet] : undefined;
  if (!devnet || !make) {
    console.warn(`frameworks e2e: ${a.name} skipped: it contributes no local devnet`);
    continue;
  }
  if (make().kind === 'memory') {
    console.warn(`frameworks e2e: ${a.name} skipped: its local devnet ${devnet} is not a chain`);
    continue;
  }
  const availability = await make().available();
  if (!availability.ok) {
    console.warn(`frameworks e2e: ${a.name} skipped: devnet ${devnet} unavailable: ${availability.reason}`);
    continue;
  }
  targets.push({ ...a, devnet, make });
}

if (targets.length === 0) {
  describe('bundled frameworks through a city node', () => {
    test('at least one bundled adapter runs here', (ctx) =>
      ctx.skip('no bundled adapter has a devnet that runs on this machine (see the warnings above)'));
  });
}

describe.each(targets)('$framework ($name on $devnet) through a city node', ({ folder, framework, devnet, make }) => {
  let chain: { stop(): Promise<void>; network: Record<string, unknown> };
  let copy: Awaited<ReturnType<typeof certifiedCopy>>;
  let node: CityNode;
  const key = newKey('sm2');
  let rest: BsnClient;
  let grpc: BsnGrpcClient;
  const app = `fw-${framework}`;

  beforeAll(async () => {
    chain = await make().start();
    copy = await certifiedCopy(folder);
    const { framework: _f, name: _n, ...endpoint } = chain.network;
    const config = resolveNodeConfig(
      {
        node: { name: `fw-${framework}`, dataDir: join(copy.dir, 'node') },
        listen: { restPort: 0, grpcPort: 0 },
        keys: { scryptN: 1024 },
        trust: { certifiers: [copy.trustFile] },
        plugins: [{ source: copy.plugin, certificate: copy.certificate, networks: [{ name: devnet, endpoint }] }],
        portals: [{ code: 'p', users: [{ code: 'u', algorithm: 'sm2', publicKey: key.publicKey, role: 'admin' }] }],
      },
      copy.dir,
    );
    node = await CityNode.start({ config, passphrase: 'fw', logger: silentLogger });
    expect(node.networks.all().map((n) => [n.framework, n.certified])).toEqual([[framework, true]]);
    rest = new BsnClient({ baseUrl: node.restUrl, user: 'u', algorithm: 'sm2', privateKey: key.privateKey });
    grpc = new BsnGrpcClient({ address: node.grpcAddress, user: 'u', algorithm: 'sm2', privateKey: key.privateKey });
    await rest.createApp({ code: app, framework });
  }, 600_000);

  afterAll(async () => {
    grpc?.close();
    await node?.stop();
    await chain?.stop();
    if (copy) await rm(copy.dir, { recursive: true, force: true });
  });

  test('REST put / get / history', async () => {
    await rest.put(app, 'rest/key', 'one');
    await rest.put(app, 'rest/key', 'two');
    expect((await rest.get(app, 'rest/key'))?.text).toBe('two');
    expect((await rest.history(app, 'rest/key')).entries.map((e) => e.valueText)).toEqual(['one', 'two']);
  });

  test('a dedicated app (its own ledger where the framework has one: a Fabric channel) through both APIs', async () => {
    const dedicated = `${app}-own`;
    const created = (await rest.createApp({ code: dedicated, framework, placement: 'dedicated' })) as {
      chain?: { placement?: string; location?: Record<string, string> };
    };
    expect(created.chain?.placement).toBe('dedicated');
    const shared = (await rest.getApp(app)) as { chain: { location: Record<string, string> } };
    if (framework === 'fabric') expect(created.chain?.location?.['channel']).not.toBe(shared.chain.location['channel']);
    await rest.put(dedicated, 'k', 'own');
    await grpc.put(dedicated, 'k', 'own, again');
    expect((await rest.get(dedicated, 'k'))?.text).toBe('own, again');
    expect((await rest.history(dedicated, 'k')).entries.map((e) => e.valueText)).toEqual(['own', 'own, again']);
    // Isolated from the shared app's keys.
    await rest.put(app, 'k', 'shared');
    expect((await rest.get(dedicated, 'k'))?.text).toBe('own, again');
  });

  test('gRPC put / get / history', async () => {
    await grpc.put(app, 'grpc/key', 'one');
    await grpc.put(app, 'grpc/key', 'two');
    expect(Buffer.from((await grpc.get(app, 'grpc/key'))['value'] as Buffer).toString()).toBe('two');
    const h = await grpc.history(app, 'grpc/key');
    expect((h['entries'] as Array<{ value: Buffer }>).map((e) => Buffer.from(e.value).toString())).toEqual(['one', 'two']);
  });
});
