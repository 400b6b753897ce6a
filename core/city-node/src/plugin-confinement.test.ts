/**
 * A city node runs each configured plugin confined (its own process under Node's permission
 * model): the plugin cannot read the node's keystore or registry, nor see the node's
 * environment; it writes its own data dir. Turning isolation off for a plugin runs it in the
 * node's process, where the same read succeeds — which is why isolation is the default.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePluginFolder } from '@bsn/plugin-host/testing';
import { CityNode } from './city-node.js';
import { resolveNodeConfig } from './config.js';

/** A plugin that reads whatever path it is asked to and reports what happened. */
const CURIOUS = `import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
const limits = { maxValueBytes: 4096, maxKeyBytes: 256, maxPageSize: 100 };
export default {
  async connect(network, context) {
    writeFileSync(join(context.dataDir, 'state.txt'), 'mine');
    return {
      describe: () => ({ framework: network.framework, adapter: { name: 'curious', version: '1.0.0' }, adapterApi: '1.1.0',
        frameworkVersions: [], keyAlgorithms: ['secp256k1'], finality: { kind: 'immediate' }, capabilities: ['describe'], limits }),
      identity: { accountAlgorithms: () => ['secp256k1'] },
      gateway: {
        async evaluate(request) {
          let answer;
          if (request.method === 'env') answer = { keys: Object.keys(process.env), pid: process.pid };
          else {
            try {
              answer = { ok: true, text: readFileSync(String(request.args[0]), 'utf8').slice(0, 64) };
            } catch (error) {
              answer = { ok: false, code: error.code };
            }
          }
          return { result: new TextEncoder().encode(JSON.stringify(answer)) };
        },
        async health() { return { ok: true, height: 0, node: 'curious', latencyMs: 0 }; },
      },
      lifecycle: {},
      kv: {},
      async close() {},
    };
  },
};
`;

describe('a city node confines its plugins', () => {
  let work: string;
  let plugin: string;
  const saved = process.env['BSN_NODE_PASSPHRASE'];
  beforeAll(async () => {
    process.env['BSN_NODE_PASSPHRASE'] = 'the node passphrase';
    work = await mkdtemp(join(tmpdir(), 'bsn-confined-node-'));
    plugin = (await makePluginFolder({ parent: work, name: '@test/curious', entrySource: CURIOUS, manifest: { framework: 'memory' } }))
      .folder;
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env['BSN_NODE_PASSPHRASE'];
    else process.env['BSN_NODE_PASSPHRASE'] = saved;
    await rm(work, { recursive: true, force: true });
  });

  const start = async (name: string, isolation?: Record<string, unknown>) => {
    const lines: string[] = [];
    const add = (level: string) => (m: string) => lines.push(`${level} ${m}`);
    const config = resolveNodeConfig(
      {
        node: { name, dataDir: join(work, name) },
        listen: { restPort: 0, grpcPort: 0, grpc: false },
        keys: { scryptN: 1024 },
        plugins: [{ source: plugin, networks: [{ name: 'curious-net', endpoint: {} }], ...(isolation && { isolation }) }],
      },
      work,
    );
    const node = await CityNode.start({
      config,
      passphrase: 'the node passphrase',
      dev: true,
      logger: { debug() {}, info: add('info'), warn: add('warn'), error: add('error') },
    });
    const adapter = node.networks.byName('curious-net')!.adapter;
    const ask = async (method: string, ...args: string[]) =>
      JSON.parse(new TextDecoder().decode((await adapter.gateway.evaluate({ app: { appId: 'a' }, method, args })).result)) as Record<
        string,
        unknown
      >;
    return { node, config, lines, ask };
  };

  it('the plugin cannot read the keystore, the registry or the environment; it writes its own data dir', async () => {
    const { node, config, lines, ask } = await start('confined');
    try {
      expect(config.isolation).toEqual({ enabled: true });
      expect(config.plugins[0]!.isolation).toBeUndefined();
      expect(existsSync(config.keys.nodeKey)).toBe(true);
      expect(lines.some((l) => /^info plugin @test\/curious@1\.0\.0 loaded, confined in process \d+$/.test(l))).toBe(true);

      expect(await ask('read', config.keys.nodeKey)).toEqual({ ok: false, code: 'ERR_ACCESS_DENIED' });
      expect(lines).toContain(`warn plugin @test/curious@1.0.0 denied: read ${config.keys.nodeKey} (fs.readFileSync)`);
      expect(await ask('read', config.registry.path)).toEqual({ ok: false, code: 'ERR_ACCESS_DENIED' });
      expect(lines).toContain(`warn plugin @test/curious@1.0.0 denied: read ${config.registry.path} (fs.readFileSync)`);

      const env = await ask('env');
      expect(env['pid']).not.toBe(process.pid);
      expect(env['keys']).not.toContain('BSN_NODE_PASSPHRASE');
      const dataDir = join(config.node.dataDir, 'adapters', 'curious-net');
      expect(await readFile(join(dataDir, 'state.txt'), 'utf8')).toBe('mine');
      expect(await ask('read', join(dataDir, 'state.txt'))).toEqual({ ok: true, text: 'mine' });
    } finally {
      await node.stop();
    }
    expect(await ask('env').catch((e: unknown) => e)).toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('with isolation off the same plugin runs in the node and reads the keystore', async () => {
    const { node, config, ask } = await start('in-process', { enabled: false });
    try {
      expect((await ask('env'))['pid']).toBe(process.pid);
      expect(await ask('read', config.keys.nodeKey)).toMatchObject({ ok: true });
    } finally {
      await node.stop();
    }
  });

  it('isolation is on unless the node or the plugin turns it off; paths resolve against the config folder', () => {
    const plugins = [{ source: './p', networks: [{ name: 'n', endpoint: {} }] }];
    expect(resolveNodeConfig({ plugins }, '/cfg').isolation).toEqual({ enabled: true });
    expect(resolveNodeConfig({ plugins }, '/cfg').plugins[0]!.isolation).toBeUndefined();
    expect(resolveNodeConfig({ plugins, isolation: { enabled: false } }, '/cfg').isolation).toEqual({ enabled: false });
    expect(resolveNodeConfig({ plugins: [{ ...plugins[0], isolation: {} }] }, '/cfg').plugins[0]!.isolation).toEqual({
      enabled: true,
      allow: [],
      readPaths: [],
    });
    const own = resolveNodeConfig(
      {
        isolation: { enabled: false },
        plugins: [{ ...plugins[0], isolation: { enabled: true, allow: ['worker'], readPaths: ['tls/ca.pem'] } }],
      },
      '/cfg',
    );
    expect(own.plugins[0]!.isolation).toEqual({ enabled: true, allow: ['worker'], readPaths: ['/cfg/tls/ca.pem'] });
    expect(() => resolveNodeConfig({ plugins: [{ ...plugins[0], isolation: { allow: ['network'] } }] }, '/cfg')).toThrow(
      /node config \/plugins\/0\/isolation\/allow\/0/,
    );
  });
});
