/**
 * A hostile plugin (`__fixtures__/hostile-plugin.js`) tries, one call at a time, to read the
 * node's keystore, read another plugin's data dir, spawn a shell, open a file outside its
 * folder and reach the node's globals (signal the node to open its inspector, forge channel
 * messages), and more. Each attempt is stopped, and named in the node's log; a well-behaved
 * plugin (`__fixtures__/memory-plugin.js`) keeps answering meanwhile, and so does the hostile one.
 */
import { readFile, rm, mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import inspector from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Adapter } from '@bsn/contract';
import { BsnIdentity } from '@bsn/contract';
import { PluginHost } from '../host.js';
import { loadIsolated, type IsolatedPlugin } from './load.js';
import { alive, eventually, fixturePlugin, recordingLogger } from './__fixtures__/support.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('a hostile plugin, confined', () => {
  let work: string;
  let keystore: string;
  let goodData: string;
  let hostileData: string;
  let hostileFolder: string;
  let hostile: IsolatedPlugin;
  let good: IsolatedPlugin;
  let hostileAdapter: Adapter;
  let goodAdapter: Adapter;
  const log = recordingLogger();
  const signer = BsnIdentity.generate().signerFor('memory', 'secp256k1');
  const savedPassphrase = process.env['BSN_NODE_PASSPHRASE'];

  beforeAll(async () => {
    process.env['BSN_NODE_PASSPHRASE'] = 'the-node-passphrase';
    work = await mkdtemp(join(tmpdir(), 'bsn-hostile-'));
    // The node's data dir, as a city node lays it out: its keystore, and one data dir per network.
    keystore = join(work, 'node', 'node-key.json');
    goodData = join(work, 'node', 'adapters', 'good-net');
    hostileData = join(work, 'node', 'adapters', 'hostile-net');
    await mkdir(goodData, { recursive: true });
    await writeFile(keystore, JSON.stringify({ keystore: 'SEALED-NODE-KEY' }));
    await writeFile(join(work, 'outside.mjs'), 'export const stolen = true;\n');
    hostileFolder = await fixturePlugin(work, 'hostile-plugin.js', '@test/hostile');
    await writeFile(join(hostileFolder, 'evil.node'), 'not really an addon');
    const goodFolder = await fixturePlugin(work, 'memory-plugin.js', '@test/good');
    const host = new PluginHost({ trustedCertifiers: [], dev: true, logger: recordingLogger() });
    [hostile, good] = await Promise.all([
      loadIsolated(host, hostileFolder, { dataDirs: [hostileData], logger: log }),
      loadIsolated(host, goodFolder, { dataDirs: [goodData], logger: log }),
    ]);
    hostileAdapter = await hostile.factory.connect({ framework: 'memory', name: 'hostile-net' }, { logger: log, dataDir: hostileData });
    goodAdapter = await good.factory.connect({ framework: 'memory', name: 'good-net' }, { logger: log, dataDir: goodData });
    await goodAdapter.kv.put(
      { app: { appId: 'other-app' }, key: 'secret', value: new TextEncoder().encode('good data'), requestId: 'g0' },
      signer,
    );
  });

  afterAll(async () => {
    const pids = [hostile?.process.pid, good?.process.pid];
    await hostile?.close();
    await good?.close();
    if (savedPassphrase === undefined) delete process.env['BSN_NODE_PASSPHRASE'];
    else process.env['BSN_NODE_PASSPHRASE'] = savedPassphrase;
    await rm(work, { recursive: true, force: true });
    expect(pids.some((pid) => alive(pid))).toBe(false);
  });

  const attack = async (name: string, ...args: string[]) => {
    const { result } = await hostileAdapter.gateway.evaluate({ app: { appId: 'x' }, method: 'attack', args: [name, ...args] });
    return JSON.parse(text(result)) as { ok: boolean; code?: string; message?: string; value?: string };
  };
  const named = (pattern: RegExp) =>
    eventually(() => log.lines.some((l) => pattern.test(l)), 5000, `a log line like ${pattern}`).then(() =>
      log.lines.find((l) => pattern.test(l)),
    );
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

  it('each attempt is stopped and named in the node log, while the other plugin keeps serving', async () => {
    // The well-behaved plugin serves other apps throughout.
    let serving = true;
    let served = 0;
    const failures: unknown[] = [];
    const other = { appId: 'other-app' };
    const background = (async () => {
      for (let i = 0; serving; i++) {
        try {
          await goodAdapter.kv.put(
            { app: other, key: `k${i % 5}`, value: new TextEncoder().encode(`v${i}`), requestId: `bg-${i}` },
            signer,
          );
          expect(await goodAdapter.kv.get(other, `k${i % 5}`)).not.toBeNull();
          served++;
        } catch (error) {
          failures.push(error);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    })();

    const expectations: Array<[string, string[], RegExp]> = [
      ['read-keystore', [keystore], new RegExp(`denied: read ${esc(keystore)} \\(fs\\.readFileSync\\)$`)],
      ['read-other-data', [goodData], new RegExp(`denied: read ${esc(goodData)} \\(fs\\.promises\\.readdir\\)$`)],
      ['spawn-shell', [keystore], new RegExp(`denied: spawn cat ${esc(keystore)} \\(child_process\\.execSync\\)$`)],
      ['spawn-sh', [], /denied: spawn \/bin\/sh \(child_process\.spawn\)$/],
      ['open-outside', ['/etc/passwd'], /denied: read \/etc\/passwd \(fs\.promises\.open\)$/],
      ['stream-outside', [keystore], new RegExp(`denied: read ${esc(keystore)} \\(fs\\.createReadStream\\)$`)],
      ['callback-read', [keystore], new RegExp(`denied: read ${esc(keystore)} \\(fs\\.readFile\\)$`)],
      ['write-own-code', [], new RegExp(`denied: write ${esc(join(hostileFolder, 'index.js'))} \\(fs\\.writeFileSync\\)$`)],
      ['worker', [], /denied: start a worker process\.exit\(0\) \(worker_threads\.Worker\)$/],
      [
        'addon',
        [join(hostileFolder, 'evil.node')],
        new RegExp(`denied: load the native addon ${esc(join(hostileFolder, 'evil.node'))} \\(process\\.dlopen\\)$`),
      ],
      ['patch-host', [], new RegExp(`denied: send SIGUSR1 to pid ${process.pid} \\(the node\\) \\(process\\.kill\\)$`)],
      ['signal-group', [], /denied: send signal 0 to pid 0 \(process\.kill\)$/],
      ['forge-message', [], /denied: write on the host channel: a message of its own to the node \(process\.send\)$/],
      ['forge-raw', [], /denied: write on the host channel: a message of its own to the node \(process\._send\)$/],
      ['binding', [], /denied: reach internal bindings: fs \(process\.binding\)$/],
    ];
    try {
      for (const [name, args, pattern] of expectations) {
        const outcome = await attack(name, ...args);
        expect(outcome.ok, `${name}: ${JSON.stringify(outcome)}`).toBe(false);
        expect(['ERR_ACCESS_DENIED', 'ERR_DLOPEN_DISABLED'], name).toContain(outcome.code);
        const line = await named(pattern);
        expect(line, name).toMatch(/^warn plugin @test\/hostile@1\.0\.0 denied: /);
      }
      // Every attempt, one line each (the import-time /etc/shadow read among them).
      expect(log.lines.filter((l) => l.startsWith('warn plugin @test/hostile@1.0.0 denied:')).length).toBeGreaterThanOrEqual(
        expectations.length + 1,
      );
      expect(log.lines, log.lines.join('\n')).toContain('warn plugin @test/hostile@1.0.0 denied: read /etc/shadow (fs.readFileSync)');

      // A module outside its folder: Node's module loader stops it (and its read is named too).
      const url = pathToFileURL(join(work, 'outside.mjs')).href;
      const imported = await attack('import-outside', url);
      expect(imported).toMatchObject({ ok: false, code: 'ERR_ACCESS_DENIED' });
      await named(new RegExp(`denied: read ${esc(join(work, 'outside.mjs'))} \\(fs\\.promises\\.readFile\\)$`));

      // The node's environment did not cross: no passphrase, nothing but the few harmless variables.
      const env = JSON.parse((await attack('env')).value!) as { keys: string[]; passphrase: string | null };
      expect(env.passphrase).toBeNull();
      expect(env.keys.filter((k) => !['TZ', 'LANG', 'LC_ALL', 'NODE_ENV', 'BSN_SCHEMAS_DIR'].includes(k))).toEqual([]);

      // Its own globals it may patch; the node's are untouched, and no inspector was opened in the node.
      expect((await attack('patch-own-globals')).ok).toBe(true);
      expect((globalThis as Record<string, unknown>)['__bsnPatched']).toBeUndefined();
      expect(({} as Record<string, unknown>)['__bsnPolluted']).toBeUndefined();
      expect(inspector.url()).toBeUndefined();

      // Nothing was written where it may not write; the keystore and the other plugin's data are intact.
      expect(await readFile(join(hostileFolder, 'index.js'), 'utf8')).toMatch(/A hostile plugin/);
      expect(JSON.parse(await readFile(keystore, 'utf8'))).toEqual({ keystore: 'SEALED-NODE-KEY' });
    } finally {
      serving = false;
      await background;
    }
    expect(failures.map((f) => String(f))).toEqual([]);
    expect(served).toBeGreaterThan(5);
    // The hostile plugin itself still answers, in the same process: no attempt crashed it.
    expect((await hostileAdapter.gateway.health()).node).toBe(`hostile/${hostile.process.pid}`);
    expect(hostile.process.restarts).toBe(0);
    expect(hostile.process.denials.length).toBeGreaterThanOrEqual(expectations.length + 2);
  });

  it('may write its own data dir, and nothing else', async () => {
    // (the memory plugin wrote its log into its data dir above)
    expect(await readFile(join(goodData, 'kv.jsonl'), 'utf8')).toMatch(/other-app/);
    expect(good.confinement.writes).toEqual([goodData]);
    expect(hostile.confinement.writes).toEqual([hostileData]);
    expect(hostile.confinement.reads).not.toContain(join(work, 'node'));
    expect(hostile.confinement.reads.some((p) => keystore.startsWith(p))).toBe(false);
    expect(hostile.confinement.reads.some((p) => goodData.startsWith(p))).toBe(false);
  });
});
