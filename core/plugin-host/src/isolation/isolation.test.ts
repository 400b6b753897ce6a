/**
 * A plugin confined in its own process, through the real boundary (real child processes, the
 * real permission model, no mocks): calls, lent signers, events, errors, crashes and restarts,
 * closing. The plugin is `__fixtures__/memory-plugin.js` (the preset key/value contract over a
 * file in its data dir).
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Adapter, ChainEvent, Signer } from '@bsn/contract';
import { BsnIdentity, isBsnError } from '@bsn/contract';
import { PluginRefusedError } from '../errors.js';
import { PluginHost } from '../host.js';
import { makePluginFolder } from '../testing/make-plugin.js';
import type { ChildMessage, HostMessage } from './channel.js';
import { readChildMessage } from './channel.js';
import { confinement } from './confinement.js';
import { loadIsolated, type IsolatedPlugin } from './load.js';
import { PluginProcess } from './plugin-process.js';
import { FIXTURES, alive, eventually, fixturePlugin, recordingLogger } from './__fixtures__/support.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (s: string) => new TextEncoder().encode(s);

let work: string;
const pids: number[] = [];
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bsn-isolation-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
  // No process left behind by any test.
  await eventually(() => pids.every((pid) => !alive(pid)), 5000, 'every plugin process to be gone');
});

const host = () => new PluginHost({ trustedCertifiers: [], dev: true, logger: recordingLogger() });

/** Whether `value` holds `needle` anywhere: as bytes, as hex, or as base64. */
function holds(value: unknown, needle: Uint8Array, seen = new Set<unknown>()): boolean {
  if (value === null || value === undefined || seen.has(value)) return false;
  if (value instanceof Uint8Array) return Buffer.from(value).includes(Buffer.from(needle));
  if (typeof value === 'string') {
    const hex = Buffer.from(needle).toString('hex');
    return value.toLowerCase().includes(hex) || value.includes(Buffer.from(needle).toString('base64'));
  }
  if (typeof value !== 'object') return false;
  seen.add(value);
  const children = value instanceof Map ? [...value.keys(), ...value.values()] : Object.values(value);
  return children.some((child) => holds(child, needle, seen));
}

describe('a plugin in a confined process', () => {
  let plugin: IsolatedPlugin;
  let adapter: Adapter;
  let dataDir: string;
  const log = recordingLogger();
  const traffic: Array<{ direction: 'to-child' | 'from-child'; message: HostMessage | ChildMessage }> = [];
  const identity = BsnIdentity.generate();
  const key = identity.keyFor('memory', 'secp256k1');
  const signer = identity.signerFor('memory', 'secp256k1');
  const app = { appId: 'app-1' };

  beforeAll(async () => {
    const folder = await fixturePlugin(work, 'memory-plugin.js', '@test/memory');
    dataDir = join(work, 'node', 'adapters', 'mem-1');
    plugin = await loadIsolated(host(), folder, {
      dataDirs: [dataDir],
      logger: log,
      restart: { initialMs: 100, maxMs: 1000, resetAfterMs: 60_000 },
      trace: (direction, message) => traffic.push({ direction, message }),
    });
    pids.push(plugin.process.pid!);
    adapter = await plugin.factory.connect({ framework: 'memory', name: 'mem-1' }, { logger: log, dataDir });
  });
  afterAll(async () => {
    await plugin?.close();
  });

  it('is verified without being imported in the node, and runs in another process', async () => {
    expect(plugin.verification.accepted).toBe(true);
    expect(plugin.verification.factory).toBeUndefined();
    expect(plugin.verification.checks.find((c) => c.check === 'entry')?.message).toMatch(/not imported/);
    const pid = Number(text((await adapter.gateway.evaluate({ app, method: 'pid', args: [] })).result));
    expect(pid).toBe(plugin.process.pid);
    expect(pid).not.toBe(process.pid);
    expect(plugin.confinement.execArgv).toContain('--experimental-permission');
    expect(plugin.confinement.execArgv).toContain(`--allow-fs-write=${dataDir}`);
    expect(plugin.confinement.env['BSN_NODE_PASSPHRASE']).toBeUndefined();
    expect(adapter.describe().adapter.name).toBe('memory-fixture');
    expect(adapter.identity.accountAlgorithms()).toEqual(['secp256k1']);
    expect(log.lines).toContain('info memory fixture connected to mem-1');
  });

  it('answers the preset contract through the boundary; hosted-key signatures are made in the node, the key never crosses', async () => {
    const r1 = await adapter.kv.put({ app, key: 'city/tokyo', value: bytes('sunny'), requestId: 'put-1' }, signer);
    await adapter.kv.put({ app, key: 'city/tokyo', value: bytes('rain'), requestId: 'put-2' }, signer);
    await adapter.gateway.submit({ app, method: 'put', args: ['city/osaka', bytes('cloudy')], requestId: 'submit-1' }, signer);
    expect(r1.status).toBe('committed');
    expect(r1.events[0]!.payload).toBeInstanceOf(Uint8Array);
    expect(text((await adapter.kv.get(app, 'city/tokyo'))!.value)).toBe('rain');
    expect((await adapter.kv.history(app, 'city/tokyo')).map((h) => text(h.value!))).toEqual(['sunny', 'rain']);
    expect((await adapter.kv.list(app, 'city/')).entries.map((e) => e.key)).toEqual(['city/osaka', 'city/tokyo']);
    await adapter.kv.delete({ app, key: 'city/osaka', requestId: 'del-1' }, signer);
    expect(await adapter.kv.get(app, 'city/osaka')).toBeNull();
    expect(await adapter.kv.put({ app, key: 'city/tokyo', value: bytes('rain'), requestId: 'put-1' }, signer)).toEqual(r1);
    const account = await adapter.identity.provision(signer);
    expect(account.publicKey).toBe(Buffer.from(key.publicKey).toString('hex'));

    const toChild = traffic.filter((t) => t.direction === 'to-child').map((t) => t.message);
    const signRequests = traffic.filter((t) => t.message.t === 'sign-request');
    expect(signRequests.length).toBeGreaterThanOrEqual(5);
    expect(toChild.filter((m) => m.t === 'sign-result' && m.signature?.compact.length === 64).length).toBe(signRequests.length);
    // What crossed for the signer: a handle, the algorithm and the public key; never the private key.
    const call = toChild.find((m) => m.t === 'call' && m.method === 'kv.put') as Extract<HostMessage, { t: 'call' }>;
    expect(Object.keys(call.args[1] as object).sort()).toEqual(['$bsnSigner', 'algorithm', 'message', 'publicKey']);
    expect(holds(toChild, key.publicKey)).toBe(true); // the scan finds what did cross
    expect(holds(toChild, key.privateKey)).toBe(false);
    expect(holds(traffic, key.privateKey)).toBe(false);
  });

  it('keeps a BSN error its code, message, stage, field, tx id and framework detail; other errors stay plain errors', async () => {
    const caught = await adapter.gateway.evaluate({ app, method: 'fail', args: ['x'] }).catch((e: unknown) => e);
    expect(isBsnError(caught, 'REJECTED_BY_CHAIN')).toBe(true);
    expect((caught as Error).constructor.name).toBe('RejectedByChainError');
    expect((caught as { toJSON(): unknown }).toJSON()).toEqual({
      name: 'RejectedByChainError',
      code: 'REJECTED_BY_CHAIN',
      message: 'the chain said no',
      stage: 'commit',
      field: '/args/0',
      txId: '0xabc',
      detail: {
        framework: 'memory',
        code: 3,
        message: 'execution reverted: no',
        data: { revert: { name: 'No', args: ['x'] }, big: 12345678901234567890n },
      },
      retryable: false,
    });
    const notFound = await adapter.gateway.evaluate({ app, method: 'get', args: ['nope'] }).catch((e: unknown) => e);
    expect(notFound).toMatchObject({ code: 'NOT_FOUND', field: '/args/0', stage: 'query' });
    const bug = await adapter.gateway.evaluate({ app, method: 'type-error', args: [] }).catch((e: unknown) => e);
    expect(isBsnError(bug)).toBe(false);
    expect(bug).toMatchObject({ name: 'TypeError', message: 'a plain bug' });
    const unclonable = await adapter.gateway.evaluate({ app, method: 'unclonable', args: [] }).catch((e: unknown) => e);
    expect((unclonable as Error).message).toMatch(/the answer to gateway\.evaluate cannot cross the process boundary/);
    // An argument that cannot cross is refused in the node, before anything is sent.
    const fn = await adapter.kv.get(app, (() => 'x') as unknown as string).catch((e: unknown) => e);
    expect(fn).toMatchObject({ code: 'INVALID_INPUT' });
    expect((await adapter.gateway.health()).ok).toBe(true);
  });

  it('lends a signer only for its call: a plugin that keeps one and signs later is refused, and named', async () => {
    await adapter.gateway.evaluate({ app, method: 'keep-signer', args: ['30'] }, signer);
    await eventually(() => log.lines.some((l) => l.includes('denied: sign with key handle')), 5000, 'the late signature to be refused');
    expect(log.lines.find((l) => l.includes('denied: sign with key handle'))).toMatch(
      /^warn plugin @test\/memory@1\.0\.0 denied: sign with key handle \d+, which no call in flight lent it \(sign-request\)$/,
    );
    // during the call, the same signer works
    expect((await adapter.gateway.evaluate({ app, method: 'caller', args: [] }, signer)).result).toHaveLength(64);
  });

  it('streams events in order, resumable from any checkpoint, cancelled by return() or the signal; a slow consumer holds the plugin back', async () => {
    const ev = { appId: 'events-app' };
    for (let i = 0; i < 5; i++) await adapter.kv.put({ app: ev, key: `k${i}`, value: bytes(`v${i}`), requestId: `ev-${i}` }, signer);
    const take = async (iterable: AsyncIterable<ChainEvent>, n: number) => {
      const out: ChainEvent[] = [];
      for await (const e of iterable) {
        out.push(e);
        if (out.length === n) break;
      }
      return out;
    };
    const all = await take(adapter.gateway.events({ app: ev }), 5);
    expect(all.map((e) => text(e.payload))).toEqual(['k0', 'k1', 'k2', 'k3', 'k4']);
    for (let i = 1; i < all.length; i++) expect(all[i]!.checkpoint.block).toBeGreaterThan(all[i - 1]!.checkpoint.block);
    // break → return() → the child's iterator is cancelled
    const cancels = () => traffic.filter((t) => t.message.t === 'cancel').length;
    expect(cancels()).toBeGreaterThanOrEqual(1);

    const resumed = await take(adapter.gateway.events({ app: ev, after: all[2]!.checkpoint }), 2);
    expect(resumed.map((e) => text(e.payload))).toEqual(['k3', 'k4']);

    // live events, then the signal ends the stream
    const cancelsBefore = cancels();
    const abort = new AbortController();
    const seen: string[] = [];
    const consuming = (async () => {
      for await (const e of adapter.gateway.events({ app: ev, after: all[4]!.checkpoint, signal: abort.signal })) {
        seen.push(text(e.payload));
        if (seen.length === 2) abort.abort();
      }
    })();
    await adapter.kv.put({ app: ev, key: 'live-1', value: bytes('x'), requestId: 'ev-live-1' }, signer);
    await adapter.kv.put({ app: ev, key: 'live-2', value: bytes('x'), requestId: 'ev-live-2' }, signer);
    await consuming;
    expect(seen).toEqual(['live-1', 'live-2']);
    expect(cancels()).toBe(cancelsBefore + 1);

    // backpressure: 100 events ready, the consumer takes one and stalls
    const bp = { appId: 'backpressure-app' };
    for (let i = 0; i < 100; i++) await adapter.kv.put({ app: bp, key: `b${i}`, value: bytes('x'), requestId: `bp-${i}` }, signer);
    const yielded = async () => Number(text((await adapter.gateway.evaluate({ app, method: 'yielded', args: [] })).result));
    const start = await yielded();
    const iterator = adapter.gateway.events({ app: bp })[Symbol.asyncIterator]();
    expect(text((await iterator.next()).value!.payload)).toBe('b0');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const produced = (await yielded()) - start;
    expect(produced).toBeGreaterThan(1);
    expect(produced).toBeLessThanOrEqual(33); // the credit window (32) and the one consumed
    // draining lets it go on
    for (let i = 1; i < 60; i++) expect(text((await iterator.next()).value!.payload)).toBe(`b${i}`);
    expect((await yielded()) - start).toBeGreaterThanOrEqual(60);
    await iterator.return!();
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
  });

  it('a crash (kill -9) answers calls in flight UNAVAILABLE, calls while down at once; restarted with back-off, nothing acknowledged lost', async () => {
    const crash = { appId: 'crash-app' };
    for (let i = 0; i < 5; i++)
      await adapter.kv.put({ app: crash, key: `acked-${i}`, value: bytes(`v${i}`), requestId: `acked-${i}` }, signer);
    const firstPid = plugin.process.pid!;
    // In flight: two reads, and a write waiting for its signature (the node signs slowly).
    const slowSigner: Signer = {
      algorithm: signer.algorithm,
      publicKey: signer.publicKey,
      signDigest: async (digest) => {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        return signer.signDigest(digest);
      },
    };
    const signRequests = () => traffic.filter((t) => t.message.t === 'sign-request').length;
    const signedBefore = signRequests();
    const reads = [1, 2].map(() => adapter.gateway.evaluate({ app, method: 'sleep', args: ['5000'] }).catch((e: unknown) => e));
    const write = adapter.kv
      .put({ app: crash, key: 'in-flight', value: bytes('maybe'), requestId: 'in-flight-1' }, slowSigner)
      .catch((e: unknown) => e);
    await eventually(() => signRequests() > signedBefore, 5000, 'the write to ask for its signature');
    await new Promise((resolve) => setTimeout(resolve, 50));
    process.kill(firstPid, 'SIGKILL');

    for (const r of await Promise.all(reads)) {
      expect(isBsnError(r, 'UNAVAILABLE')).toBe(true);
      expect(r).toMatchObject({ stage: 'query', retryable: true });
      expect((r as Error).message).toMatch(
        /plugin @test\/memory@1\.0\.0: its process was killed by SIGKILL while gateway\.evaluate was in flight/,
      );
    }
    const w = await write;
    expect(w).toMatchObject({ code: 'UNAVAILABLE', stage: 'submit' });
    expect((w as Error).message).toMatch(/kv\.put was in flight; the outcome is unknown — retry with the same request id/);
    // while down: at once
    const t0 = Date.now();
    const down = await adapter.kv.get(crash, 'acked-0').catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(50);
    expect((down as Error).message).toMatch(/is not running: its process was killed by SIGKILL; restarting in \d+ ms/);
    expect(log.lines).toContain(
      'error plugin @test/memory@1.0.0: its process was killed by SIGKILL; 3 call(s) in flight answered UNAVAILABLE; restarting in 100 ms',
    );

    await plugin.process.whenUp();
    pids.push(plugin.process.pid!);
    expect(plugin.process.pid).not.toBe(firstPid);
    expect(alive(firstPid)).toBe(false);
    expect(
      log.lines.some((l) => /^info plugin @test\/memory@1\.0\.0: process restarted \(pid \d+\); 1 of 1 network\(s\) reconnected$/.test(l)),
    ).toBe(true);
    // nothing acknowledged is lost; the write in doubt is retried with its request id, once
    for (let i = 0; i < 5; i++) expect(text((await adapter.kv.get(crash, `acked-${i}`))!.value)).toBe(`v${i}`);
    await adapter.kv.put({ app: crash, key: 'in-flight', value: bytes('maybe'), requestId: 'in-flight-1' }, signer);
    await adapter.kv.put({ app: crash, key: 'in-flight', value: bytes('maybe'), requestId: 'in-flight-1' }, signer);
    expect(await adapter.kv.history(crash, 'in-flight')).toHaveLength(1);

    // a second crash soon after: the back-off doubles
    const secondPid = plugin.process.pid!;
    process.kill(secondPid, 'SIGKILL');
    await eventually(() => log.lines.some((l) => l.endsWith('restarting in 200 ms')), 5000, 'the doubled back-off');
    await plugin.process.whenUp();
    pids.push(plugin.process.pid!);
    expect(plugin.process.restarts).toBe(2);
    expect((await adapter.gateway.health()).ok).toBe(true);
  });
});

describe('loading and ending a confined plugin', () => {
  it('close() ends the process: SIGTERM, and SIGKILL after the grace period when it does not go', async () => {
    const folder = await fixturePlugin(work, 'memory-plugin.js', '@test/memory-close');
    const dataDir = join(work, 'close-data');
    const plugin = await loadIsolated(host(), folder, { dataDirs: [dataDir], graceMs: 300, logger: recordingLogger() });
    const pid = plugin.process.pid!;
    pids.push(pid);
    const adapter = await plugin.factory.connect({ framework: 'memory', name: 'close-1' }, { logger: recordingLogger(), dataDir });
    const spinning = adapter.gateway.evaluate({ app: { appId: 'a' }, method: 'spin', args: [] }).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const t0 = Date.now();
    await plugin.close();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(alive(pid)).toBe(false);
    expect(await spinning).toMatchObject({ code: 'UNAVAILABLE' });
    expect(await adapter.gateway.health().catch((e: unknown) => e)).toMatchObject({ code: 'UNAVAILABLE' });
    await plugin.close(); // idempotent
  });

  it('the process ends with its last adapter, and starts again for the next connect', async () => {
    const folder = await fixturePlugin(work, 'memory-plugin.js', '@test/memory-idle');
    const dataDir = join(work, 'idle-data');
    const plugin = await loadIsolated(host(), folder, { dataDirs: [dataDir], logger: recordingLogger() });
    const first = plugin.process.pid!;
    pids.push(first);
    const a = await plugin.factory.connect({ framework: 'memory', name: 'idle-1' }, { logger: recordingLogger(), dataDir });
    await a.close();
    await a.close();
    expect(alive(first)).toBe(false);
    const b = await plugin.factory.connect({ framework: 'memory', name: 'idle-1' }, { logger: recordingLogger(), dataDir });
    pids.push(plugin.process.pid!);
    expect(plugin.process.pid).not.toBe(first);
    expect((await b.gateway.health()).ok).toBe(true);
    await plugin.close();
  });

  it('refuses a data dir it was not given, an entry that does not load, and a folder with a link out of its confinement', async () => {
    const folder = await fixturePlugin(work, 'memory-plugin.js', '@test/memory-refusals');
    const plugin = await loadIsolated(host(), folder, { dataDirs: [join(work, 'refusal-data')], logger: recordingLogger() });
    pids.push(plugin.process.pid!);
    const outside = await plugin.factory
      .connect({ framework: 'memory', name: 'x' }, { logger: recordingLogger(), dataDir: join(work, 'elsewhere') })
      .catch((e: unknown) => e);
    expect(outside).toMatchObject({ code: 'INVALID_INPUT', field: '/dataDir' });
    expect((outside as Error).message).toMatch(/is not writable by the confined plugin/);
    await plugin.close();

    const broken = await makePluginFolder({ parent: work, name: '@test/broken', entrySource: 'throw new Error("top-level failure");\n' });
    const refused = await loadIsolated(host(), broken.folder, { logger: recordingLogger() }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PluginRefusedError);
    expect(refused).toMatchObject({ reason: 'entry-invalid' });
    expect((refused as Error).message).toMatch(/cannot import entry index\.js: top-level failure/);

    const secret = join(work, 'outside-secret.txt');
    await writeFile(secret, 'node secrets');
    const linked = await fixturePlugin(work, 'memory-plugin.js', '@test/memory-linked');
    await symlink(secret, join(linked, 'innocent.txt'));
    const escaped = await loadIsolated(host(), linked, { logger: recordingLogger() }).catch((e: unknown) => e);
    expect(escaped).toMatchObject({ reason: 'entry-invalid' });
    expect((escaped as Error).message).toMatch(/symbolic link\(s\) lead out of what it may read .*innocent\.txt → .*outside-secret\.txt/);
  });

  it('checks every message from the child: forged or malformed traffic and signatures for keys it was not lent are refused and named', async () => {
    const folder = await fixturePlugin(work, 'memory-plugin.js', '@test/rogue');
    const dataDir = join(work, 'rogue-data');
    await mkdir(dataDir, { recursive: true });
    const log = recordingLogger();
    const proc = new PluginProcess({
      label: '@test/rogue@1.0.0',
      folder,
      entry: 'index.js',
      confinement: confinement({ folder, dataDirs: [dataDir], runner: join(FIXTURES, 'rogue-runner.mjs') }),
      logger: log,
    });
    await proc.start();
    pids.push(proc.pid!);
    const adapter = await proc.connect({ framework: 'memory', name: 'rogue' }, { logger: log, dataDir });
    expect(await adapter.gateway.health()).toEqual({ health: 'ok' });
    expect(log.lines).toEqual(
      expect.arrayContaining([
        'warn plugin @test/rogue@1.0.0 denied: write on the host channel: a message of unknown type "patch-global" (channel)',
        'warn plugin @test/rogue@1.0.0 denied: write on the host channel: a string instead of a message (channel)',
        'warn plugin @test/rogue@1.0.0 denied: sign with key handle 424242, which no call in flight lent it (sign-request)',
        // what the plugin says cannot start a line of the node's log
        'warn plugin @test/rogue@1.0.0 denied: read /x\\u000aerror plugin forged line (fs.readFileSync)',
      ]),
    );
    expect(log.lines.some((l) => l.includes('\n'))).toBe(false);
    expect((globalThis as Record<string, unknown>)['process']).toBe(process);
    await proc.close();
    expect(readChildMessage({ t: 'sign-request', id: 1, handle: 1, digest: new Uint8Array(32), message: new Uint8Array(1) })).toMatch(
      /malformed/,
    );
  });
});
