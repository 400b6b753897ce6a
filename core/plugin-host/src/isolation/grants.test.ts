/**
 * A capability beyond files (here: starting processes) reaches a confined plugin only when its
 * manifest declares it AND the node allows it for that plugin; either alone grants nothing.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Adapter } from '@bsn/contract';
import { PluginHost } from '../host.js';
import { makePluginFolder } from '../testing/make-plugin.js';
import { loadIsolated, type IsolatedPlugin } from './load.js';
import { FIXTURES, alive, recordingLogger } from './__fixtures__/support.js';

describe('grants to a confined plugin', () => {
  let work: string;
  const loaded: IsolatedPlugin[] = [];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'bsn-grants-'));
  });
  afterAll(async () => {
    const pids = loaded.map((p) => p.process.pid);
    for (const p of loaded) await p.close();
    await rm(work, { recursive: true, force: true });
    expect(pids.some((pid) => alive(pid))).toBe(false);
  });

  async function hostile(name: string, permissions: string[] | undefined, allow: Array<'child-process'>) {
    const { folder } = await makePluginFolder({
      parent: work,
      name,
      entrySource: await readFile(join(FIXTURES, 'hostile-plugin.js'), 'utf8'),
      manifest: { framework: 'memory', permissions },
    });
    const log = recordingLogger();
    const host = new PluginHost({ trustedCertifiers: [], dev: true, logger: recordingLogger() });
    const dataDir = join(work, `${name.replace(/\W/g, '')}-data`);
    const plugin = await loadIsolated(host, folder, { dataDirs: [dataDir], allow, logger: log });
    loaded.push(plugin);
    const adapter: Adapter = await plugin.factory.connect({ framework: 'memory', name: 'net' }, { logger: log, dataDir });
    const attack = async (name: string) => {
      const { result } = await adapter.gateway.evaluate({ app: { appId: 'x' }, method: 'attack', args: [name] });
      return JSON.parse(new TextDecoder().decode(result)) as { ok: boolean; code?: string; value?: string };
    };
    return { plugin, log, attack, spawned: () => attack('spawn-sh') };
  }

  it('declared and allowed: the plugin starts a process', async () => {
    const { plugin, spawned } = await hostile('@test/declared-allowed', ['child-process'], ['child-process']);
    expect(plugin.confinement.execArgv).toContain('--allow-child-process');
    expect(await spawned()).toMatchObject({ ok: true, value: 'exit 0' });
  });

  it('granted, it may stop its own children (through their process group), and still not signal the node', async () => {
    const { plugin, log, attack } = await hostile('@test/stops-children', ['child-process'], ['child-process']);
    expect(plugin.confinement.execArgv).toContain('--allow-child-process');
    expect(await attack('stop-own-child')).toMatchObject({ ok: true, value: 'exit SIGTERM' });
    expect(await attack('signal-node')).toMatchObject({ ok: false, code: 'ERR_ACCESS_DENIED' });
    expect(await attack('signal-group')).toMatchObject({ ok: false, code: 'ERR_ACCESS_DENIED' });
    expect(log.lines.some((l) => /denied: .* to pid \d+ \(the node\)/.test(l))).toBe(true);
  });

  it('declared but not allowed by the node: refused', async () => {
    const { plugin, spawned } = await hostile('@test/declared-only', ['child-process'], []);
    expect(plugin.confinement.execArgv).not.toContain('--allow-child-process');
    expect(await spawned()).toMatchObject({ ok: false, code: 'ERR_ACCESS_DENIED' });
  });

  it('allowed by the node but not declared: refused, and the node says why', async () => {
    const { plugin, log, spawned } = await hostile('@test/allowed-only', undefined, ['child-process']);
    expect(plugin.confinement.execArgv).not.toContain('--allow-child-process');
    expect(await spawned()).toMatchObject({ ok: false, code: 'ERR_ACCESS_DENIED' });
    expect(
      log.lines.some((l) => /child-process not granted: the node allows it but the plugin's manifest does not declare it/.test(l)),
    ).toBe(true);
  });

  it('a manifest declaring a permission the host does not know is refused, naming the field', async () => {
    const { folder } = await makePluginFolder({
      parent: work,
      name: '@test/root',
      manifest: { framework: 'memory', permissions: ['root'] },
    });
    const host = new PluginHost({ trustedCertifiers: [], dev: true, logger: recordingLogger() });
    await expect(loadIsolated(host, folder, { logger: recordingLogger() })).rejects.toThrow(/\/permissions\/0/);
  });
});
