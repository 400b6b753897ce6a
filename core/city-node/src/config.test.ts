import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { isBsnError } from '@bsn/contract';
import { loadNodeConfig, resolveNodeConfig } from './config.js';

function failure(fn: () => unknown): Error & { field?: string } {
  try {
    fn();
  } catch (err) {
    if (!isBsnError(err, 'INVALID_INPUT')) throw err;
    return err;
  }
  throw new Error('expected an INVALID_INPUT error');
}

describe('node config', () => {
  test('an empty document gets the embedded defaults, paths anchored at the base folder', () => {
    const c = resolveNodeConfig({}, '/srv/bsn');
    expect(c.node).toEqual({ name: 'city-node', dataDir: '/srv/bsn/.bsn/node' });
    expect(c.listen).toEqual({ host: '127.0.0.1', restPort: 8080, grpcPort: 9090, grpc: true });
    expect(c.registry).toEqual({ kind: 'sqlite', path: '/srv/bsn/.bsn/node/registry.sqlite' });
    expect(c.keys.nodeKey).toBe('/srv/bsn/.bsn/node/node-key.json');
    expect(c.limits).toEqual({ bodyBytes: 1_048_576, clockSkewMs: 300_000, tpsWindowMs: 60_000 });
    expect(c.plugins).toEqual([]);
    expect(resolveNodeConfig(null, '/x').node.name).toBe('city-node');
  });

  test('errors name the field and say what was expected', () => {
    const e = failure(() => resolveNodeConfig({ listen: { restPort: 'eighty' } }, '/'));
    expect(e.field).toBe('/listen/restPort');
    expect(e.message).toContain('node config /listen/restPort: must be integer (got string)');
    expect(failure(() => resolveNodeConfig({ listen: { port: 1 } }, '/')).field).toBe('/listen/port');
    expect(failure(() => resolveNodeConfig({ plugins: [{ source: 'x' }] }, '/')).field).toBe('/plugins/0/networks');
    expect(failure(() => resolveNodeConfig({ registry: { kind: 'postgres' } }, '/')).message).toMatch(/\/registry/);
  });

  test('postgres url from the environment; plugin paths resolved; package names kept', () => {
    const c = resolveNodeConfig(
      {
        registry: { kind: 'postgres', urlEnv: 'PG_URL' },
        plugins: [
          { source: './adapters/ethereum', networks: [{ name: 'local', devnet: 'anvil' }] },
          { source: '@bsn/adapter-ethereum', networks: [{ name: 'remote', endpoint: { rpcUrl: 'http://127.0.0.1:1' } }] },
        ],
      },
      '/repo',
      { PG_URL: 'postgres://u@h/db' },
    );
    expect(c.registry.url).toBe('postgres://u@h/db');
    expect(c.plugins.map((p) => p.source)).toEqual(['/repo/adapters/ethereum', '@bsn/adapter-ethereum']);
    const missing = failure(() => resolveNodeConfig({ registry: { kind: 'postgres', urlEnv: 'NOPE_X' } }, '/', {}));
    expect(missing.field).toBe('/registry/urlEnv');
  });

  test('a network needs exactly one of devnet or endpoint, and unique names', () => {
    expect(failure(() => resolveNodeConfig({ plugins: [{ source: 'x', networks: [{ name: 'n' }] }] }, '/')).message).toContain(
      '/plugins/0/networks/0',
    );
    const dup = failure(() =>
      resolveNodeConfig(
        {
          plugins: [
            {
              source: 'x',
              networks: [
                { name: 'n', devnet: 'anvil' },
                { name: 'n', devnet: 'anvil' },
              ],
            },
          ],
        },
        '/',
      ),
    );
    expect(dup.field).toBe('/plugins/0/networks/1/name');
  });

  test('YAML files load; syntax errors name the line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bsn-config-'));
    await writeFile(join(dir, 'node.yaml'), 'node:\n  name: tokyo-1\nlisten:\n  restPort: 0\n');
    const c = await loadNodeConfig('node.yaml', { cwd: dir });
    expect(c.node.name).toBe('tokyo-1');
    expect(c.listen.restPort).toBe(0);
    expect(c.baseDir).toBe(dir);
    await writeFile(join(dir, 'bad.yaml'), 'node:\n  name: [unclosed\n');
    await expect(loadNodeConfig('bad.yaml', { cwd: dir })).rejects.toThrow(/not valid YAML at line/);
    await expect(loadNodeConfig('absent.yaml', { cwd: dir })).rejects.toThrow(/cannot read the node config/);
  });
});
