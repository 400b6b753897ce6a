/**
 * `bsn node start` with a devnet network, SIGTERM while an event stream is open: /readyz fails
 * for the drain delay while requests are still served, the stream ends with a signed
 * UNAVAILABLE node-stopping, the gateway and the devnet it started stop, exit code 0 within
 * the deadline.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { BsnClient, NodeResponseError } from '@bsn/client';
import { newKey } from '@bsn/city-node/testing';
import { FIXTURE_SUITES, ROOT, certifiedPluginCopies, e2eSkipReason } from '../__fixtures__/ethereum-e2e.js';

const skip = (await e2eSkipReason()) ?? (existsSync(join(ROOT, 'core', 'cli', 'dist', 'main.js')) ? undefined : 'the bsn CLI is not built');
if (skip) console.warn(`shutdown test skipped: ${skip}`);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.skipIf(skip !== undefined)('graceful shutdown', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('SIGTERM drains (readyz 503, streams told node-stopping), closes the node and stops the devnet it started', async () => {
    const plugins = await certifiedPluginCopies();
    dir = plugins.dir;
    const key = newKey('secp256r1');
    const restPort = await freePort();
    const configFile = join(plugins.dir, 'node.yaml');
    await writeFile(
      configFile,
      [
        'node: { name: shutdown, dataDir: node }',
        `listen: { restPort: ${restPort}, grpc: false }`,
        'keys: { scryptN: 1024 }',
        `trust: { certifiers: [${JSON.stringify(plugins.trustFile)}], suites: { current: ${JSON.stringify(FIXTURE_SUITES.current)} } }`,
        'plugins:',
        `  - source: ${JSON.stringify(plugins.good)}`,
        `    certificate: ${JSON.stringify(plugins.goodCert)}`,
        '    networks: [{ name: local, devnet: anvil }]',
        'shutdown: { drainDelayMs: 1500, deadlineMs: 8000 }',
        'portals:',
        `  - { code: p, users: [{ code: ops, algorithm: secp256r1, publicKey: ${key.publicKey}, role: admin }] }`,
      ].join('\n'),
    );
    let output = '';
    const child = spawn(process.execPath, [join(ROOT, 'core/cli/dist/main.js'), 'node', 'start', '--config', configFile], {
      cwd: plugins.dir,
      env: { ...process.env, BSN_NODE_PASSPHRASE: 'shutdown' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${restPort}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the node did not become ready:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(output).toContain('City node shutdown is up.');
    const info = (await (await fetch(`http://127.0.0.1:${restPort}/v1/node`)).json()) as { networks: Array<{ origin: { kind: string } }> };
    expect(info.networks[0]!.origin.kind).toBe('devnet');
    const children = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(child.pid)], { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter(([, comm]) => comm === 'anvil')
      .map(([pid]) => Number(pid));
    expect(children).toHaveLength(1);
    const ops = new BsnClient({ baseUrl: `http://127.0.0.1:${restPort}`, user: 'ops', algorithm: 'secp256r1', privateKey: key.privateKey });
    await ops.createApp({ code: 'feed' });
    await ops.put('feed', 'k', 'v');
    const seen: string[] = [];
    const stream = (async () => {
      for await (const e of ops.events('feed')) seen.push(e.id);
    })().then(
      () => 'ended without a word',
      (err: unknown) => err,
    );
    await expect.poll(() => seen.length, { timeout: 10_000 }).toBe(1);

    const stoppedAt = Date.now();
    child.kill('SIGTERM');
    // Draining: not ready, yet still serving.
    await expect.poll(async () => (await fetch(`http://127.0.0.1:${restPort}/readyz`)).status, { timeout: 1000 }).toBe(503);
    expect((await ops.get('feed', 'k'))?.text).toBe('v');
    const ended = await stream;
    expect(ended).toBeInstanceOf(NodeResponseError);
    expect(ended).toMatchObject({ code: 'UNAVAILABLE', reason: 'node-stopping', verified: true });
    expect(await exited).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(8000);
    expect(output).toContain('SIGTERM: stopping');
    expect(output).toContain('city node shutdown stopped');
    expect(alive(children[0]!)).toBe(false);
    expect(
      await fetch(`http://127.0.0.1:${restPort}/healthz`).then(
        () => 'up',
        () => 'down',
      ),
    ).toBe('down');
  }, 120_000);
});
