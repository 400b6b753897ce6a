/**
 * Admission at a running city node, as an operator and a certifier meet it with the `bsn`
 * command, on a real anvil with the real Ethereum adapter:
 * - a node that requires the transparency log refuses a certificate with no inclusion proof,
 *   and accepts it once `bsn certify`'s log evidence lies beside it;
 * - `bsn certifier revoke` on a plugin the node serves: within one refresh interval the
 *   plugin is unloaded (its app answers UNAVAILABLE, reason plugin-revoked; a log line; a
 *   metric) while the node keeps serving; restarted, the node refuses the plugin at start.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BsnClient, NodeResponseError } from '@bsn/client';
import { readKeystore } from '@bsn/contract';
import { CityNode, resolveNodeConfig } from '@bsn/city-node';
import { newKey } from '@bsn/city-node/testing';
import { certifierKeyFromKeystore, computePluginDigest, issueCertificate, readManifest, writeCertificate } from '@bsn/plugin-host';
import { FIXTURE_SUITE, makeReport } from '@bsn/plugin-host/testing';
import { ROOT, certifiedPluginCopies, e2eSkipReason, startAnvil, type StartedAnvil } from '../__fixtures__/ethereum-e2e.js';

const skip = await e2eSkipReason();
if (skip) console.warn(`admission end-to-end test skipped: ${skip}`);

const bsn = join(ROOT, 'core', 'cli', 'dist', 'main.js');
const env = { ...process.env, BSN_PASSPHRASE: 'admission e2e passphrase' };
const run = (args: string[]) => spawnSync(process.execPath, [bsn, ...args], { encoding: 'utf8', timeout: 60_000, env });

describe.skipIf(skip !== undefined)('admission at a running city node', () => {
  let anvil: StartedAnvil;
  let plugins: Awaited<ReturnType<typeof certifiedPluginCopies>>;
  let logServer: ChildProcess | undefined;
  let logUrl: string;
  let certificateFile: string;
  let endpoint: Record<string, unknown>;
  const nodes: CityNode[] = [];
  const admin = newKey('secp256r1');

  const startNode = async (name: string, trust: Record<string, unknown>) => {
    const logs: string[] = [];
    const config = resolveNodeConfig(
      {
        node: { name, dataDir: `node-${name}` },
        listen: { restPort: 0, grpc: false },
        keys: { scryptN: 1024 },
        trust: { certifiers: ['certifier.pub.json'], ...trust },
        plugins: [{ source: plugins.good, certificate: certificateFile, networks: [{ name: 'anvil', endpoint }] }],
        portals: [{ code: 'p', users: [{ code: 'admin', algorithm: 'secp256r1', publicKey: admin.publicKey, role: 'admin' }] }],
      },
      plugins.dir,
    );
    const node = await CityNode.start({
      config,
      passphrase: 'admission',
      logger: {
        debug() {},
        info: (m) => logs.push(`info ${m}`),
        warn: (m) => logs.push(`warn ${m}`),
        error: (m) => logs.push(`error ${m}`),
      },
    });
    nodes.push(node);
    const client = new BsnClient({ baseUrl: node.restUrl, user: 'admin', algorithm: 'secp256r1', privateKey: admin.privateKey });
    return { node, logs, client };
  };

  beforeAll(async () => {
    anvil = await startAnvil();
    plugins = await certifiedPluginCopies();
    endpoint = { rpcUrl: anvil.network.rpcUrl, chainId: anvil.network.chainId, confirmations: 0, faucet: anvil.network.faucet };
    const inDir = (f: string) => join(plugins.dir, f);
    for (const args of [
      ['certifier', 'new', '--out', inDir('certifier.json'), '--name', 'City Certifier', '--scrypt-n', '1024'],
      ['log', 'new', '--out', inDir('log'), '--name', 'city-log', '--certifier', inDir('certifier.pub.json'), '--scrypt-n', '1024'],
    ]) {
      const r = run(args);
      expect(r.status, r.stderr).toBe(0);
    }
    // The certifier's certificate for this build (issued the way `bsn certify` issues it).
    const key = certifierKeyFromKeystore(await readKeystore(inDir('certifier.json')), env.BSN_PASSPHRASE);
    const manifest = await readManifest(plugins.good);
    const { digest } = await computePluginDigest(plugins.good, manifest.files);
    certificateFile = inDir('cert.json');
    const report = makeReport({ name: manifest.name, version: manifest.version, framework: manifest.framework, digest });
    await writeCertificate(certificateFile, issueCertificate(report, key, { suite: FIXTURE_SUITE }));

    logServer = spawn(process.execPath, [bsn, 'log', 'serve', '--dir', inDir('log'), '--port', '0'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    logUrl = await new Promise<string>((resolve, reject) => {
      let out = '';
      logServer!.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /serving at (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      logServer!.on('exit', (code) => reject(new Error(`bsn log serve exited ${code}`)));
    });
  }, 240_000);

  afterAll(async () => {
    for (const n of nodes) await n.stop();
    logServer?.kill('SIGTERM');
    await anvil?.stop();
    if (plugins) await rm(plugins.dir, { recursive: true, force: true });
  });

  test('a node requiring the log refuses a certificate with no inclusion proof, and accepts it once logged', async () => {
    const trust = { log: { publicKey: 'log/log.pub.json' } };
    const unlogged = await startNode('unlogged', trust);
    expect(unlogged.node.plugins.map((p) => [p.loaded, p.reason])).toEqual([[false, 'certificate-unlogged']]);
    expect(unlogged.logs.some((l) => /NOT loaded — refused \(certificate-unlogged\): .*log-missing/.test(l))).toBe(true);

    // The certifier logs it; `bsn log add --out` writes the evidence where the node looks (cert.log.json).
    const added = run(['log', 'add', certificateFile, '--dir', join(plugins.dir, 'log'), '--out', join(plugins.dir, 'cert.log.json')]);
    expect(added.status, added.stderr).toBe(0);
    const logged = await startNode('logged', { log: { publicKey: 'log/log.pub.json', url: logUrl } });
    expect(logged.node.plugins.map((p) => [p.loaded, p.reason])).toEqual([[true, undefined]]);
    expect(JSON.parse(await readFile(join(plugins.dir, 'cert.log.json'), 'utf8'))).toEqual(JSON.parse(added.stdout));
  }, 120_000);

  test('revoked while running: unloaded within one refresh interval, the rest of the node serving; refused at the next start', async () => {
    const list = join(plugins.dir, 'certifier.revocations.json');
    const trust = { revocations: ['certifier.revocations.json'], revocationRefreshSeconds: 1 };
    const { node, logs, client } = await startNode('revoked', trust);
    expect(logs.some((l) => /revocation list .* does not exist yet/.test(l))).toBe(true);
    await client.createApp({ code: 'kv', framework: 'ethereum' });
    await client.put('kv', 'k', 'before');

    const revoked = run([
      'certifier',
      'revoke',
      certificateFile,
      '--key',
      join(plugins.dir, 'certifier.json'),
      '--reason',
      'key leaked',
      '--log',
      logUrl,
    ]);
    expect(revoked.status, revoked.stderr).toBe(0);
    expect(revoked.stdout).toMatch(
      /^revoked @bsn\/adapter-ethereum@\S+ sha256:[0-9a-f]{64} \(key leaked\); .*certifier\.revocations\.json is now list 1/,
    );
    expect(revoked.stderr).toMatch(/revocation logged at index \d+/);
    // Only the issuer can revoke: a certificate of another certifier is refused, the list untouched.
    const foreign = run(['certifier', 'revoke', plugins.goodCert, '--key', join(plugins.dir, 'certifier.json')]);
    expect(foreign.status).toBe(3);
    expect(foreign.stderr).toMatch(/was not issued by this certifier key .*only its issuer can revoke it/);
    // Revoking again changes nothing.
    const again = run(['certifier', 'revoke', certificateFile, '--key', join(plugins.dir, 'certifier.json'), '--list', list]);
    expect(again.stdout).toMatch(/was revoked already \(list 1/);

    const revokedAt = Date.now();
    let answer: unknown;
    for (;;) {
      answer = await client.get('kv', 'k').then(
        (r) => r,
        (e: unknown) => e,
      );
      // A read in flight at the moment of unload fails as UNAVAILABLE too (its adapter closed under it).
      if (answer instanceof NodeResponseError) expect(answer.code).toBe('UNAVAILABLE');
      if ((answer as { reason?: string }).reason === 'plugin-revoked' || Date.now() - revokedAt > 5_000) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // One refresh interval (1 s), plus the time to notice.
    expect(Date.now() - revokedAt).toBeLessThan(5_000);
    expect(answer).toBeInstanceOf(NodeResponseError);
    expect(answer).toMatchObject({ code: 'UNAVAILABLE', reason: 'plugin-revoked' });
    expect((answer as Error).message).toMatch(
      /plugin @bsn\/adapter-ethereum@\S+ was unloaded — its certificate was revoked by City Certifier at .*: key leaked/,
    );
    expect(logs.some((l) => /^error plugin @bsn\/adapter-ethereum@\S+ UNLOADED — its certificate was revoked/.test(l))).toBe(true);
    const metrics = await (await fetch(`${node.restUrl}/metrics`)).text();
    expect(metrics).toMatch(/bsn_plugins_unloaded_total\{plugin="@bsn\/adapter-ethereum@[^"]+",reason="certificate-revoked"\} 1/);
    // The node itself keeps serving: it answers, and apps on other networks are untouched.
    expect(await client.node()).toMatchObject({ name: 'revoked', networks: [], withdrawn: [{ name: 'anvil', reason: 'plugin-revoked' }] });
    expect((await client.listApps()).apps.map((a) => a.code)).toEqual(['kv']);

    const restarted = await startNode('revoked-restart', trust);
    expect(restarted.node.plugins.map((p) => [p.loaded, p.reason])).toEqual([[false, 'certificate-revoked']]);
    expect(
      restarted.logs.some((l) => /NOT loaded — refused \(certificate-revoked\): its certificate was revoked by City Certifier/.test(l)),
    ).toBe(true);
    await writeFile(list, '{ "torn": ');
    // A list that exists but does not hold stops the start: the node cannot see revocations, so it must not guess.
    await expect(startNode('bad-list', trust)).rejects.toThrow(
      /cannot load the revocation lists \(trust\.revocations\):\n.*certifier\.revocations\.json/,
    );
  }, 120_000);
});
