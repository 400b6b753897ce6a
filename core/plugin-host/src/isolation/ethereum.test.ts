/**
 * The real Ethereum adapter plugin (its built folder, `adapters/ethereum`), confined in its own
 * process, on a real anvil: the preset contract, hosted-key and user-key writes, events and
 * errors through the boundary. Every message sent to the plugin is kept and searched for the
 * hosted private keys: none crosses. Errors are compared with those of the same adapter loaded
 * in-process, on the same chain.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Adapter, AppInfo, ChainEvent, Signer, StartedDevnet } from '@bsn/contract';
import { BsnIdentity, fromHex, isBsnError, signDigest } from '@bsn/contract';
import { pluginDevnet } from '../devnets.js';
import { PluginHost } from '../host.js';
import type { ChildMessage, HostMessage } from './channel.js';
import { loadIsolated, type IsolatedPlugin } from './load.js';
import { alive, recordingLogger } from './__fixtures__/support.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const ADAPTER_DIR = join(ROOT, 'adapters', 'ethereum');
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (s: string) => new TextEncoder().encode(s);

/** The plugin's own anvil devnet, found the way the node finds it: through its manifest. */
const anvil = () => pluginDevnet(ADAPTER_DIR, 'anvil');

async function skipReason(): Promise<string | undefined> {
  if (!existsSync(join(ADAPTER_DIR, 'dist', 'devnets', 'index.js'))) return `the Ethereum adapter is not built (${ADAPTER_DIR}/dist)`;
  const availability = await (await anvil()).available();
  return availability.ok ? undefined : `anvil is unavailable: ${availability.reason}`;
}
const skip = await skipReason();
if (skip) console.warn(`confined Ethereum adapter tests skipped: ${skip}`);

/** Whether `value` holds `needle` anywhere: as bytes, hex or base64. */
function holds(value: unknown, needle: Uint8Array, seen = new Set<unknown>()): boolean {
  if (value === null || value === undefined || seen.has(value)) return false;
  if (value instanceof Uint8Array) return Buffer.from(value).includes(Buffer.from(needle));
  if (typeof value === 'string') {
    return value.toLowerCase().includes(Buffer.from(needle).toString('hex')) || value.includes(Buffer.from(needle).toString('base64'));
  }
  if (typeof value !== 'object') return false;
  seen.add(value);
  return Object.values(value).some((child) => holds(child, needle, seen));
}

describe.skipIf(skip !== undefined)('the Ethereum adapter through the process boundary, on anvil', () => {
  let work: string;
  let devnet: StartedDevnet;
  let plugin: IsolatedPlugin;
  let adapter: Adapter;
  let inProcess: Adapter;
  let app: AppInfo;
  const log = recordingLogger();
  const toChild: HostMessage[] = [];
  const fromChild: ChildMessage[] = [];
  const admin = BsnIdentity.generate();
  const adminKey = admin.keyFor('ethereum', 'secp256k1');
  let adminSigner: Signer;
  const member = BsnIdentity.generate();
  const memberKey = member.keyFor('ethereum', 'secp256k1');
  const outsider = BsnIdentity.generate();

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'bsn-isolated-eth-'));
    const host = new PluginHost({ trustedCertifiers: [], dev: true, logger: recordingLogger() });
    const dataDir = join(work, 'data', 'anvil');
    [devnet, plugin] = await Promise.all([
      anvil().then((devnet) => devnet.start()),
      loadIsolated(host, ADAPTER_DIR, {
        dataDirs: [dataDir],
        logger: log,
        trace: (direction, message) =>
          direction === 'to-child' ? toChild.push(message as HostMessage) : fromChild.push(message as ChildMessage),
      }),
    ]);
    adapter = await plugin.factory.connect(devnet.network, { logger: log, dataDir });
    const loaded = await host.load(ADAPTER_DIR);
    inProcess = await loaded.factory.connect(devnet.network, { logger: recordingLogger(), dataDir: join(work, 'data', 'in-process') });
    adminSigner = admin.signerFor('ethereum', 'secp256k1');
    await adapter.identity.provision(adminSigner);
    app = await adapter.lifecycle.create(
      {
        appId: `iso-${Date.now()}`,
        name: 'isolated',
        framework: 'ethereum',
        mode: 'consortium',
        placement: 'shared',
        contract: { kind: 'preset-kv' },
        members: [],
      },
      adminSigner,
    );
  }, 240_000);

  afterAll(async () => {
    const pid = plugin?.process.pid;
    await adapter?.close();
    await inProcess?.close();
    await plugin?.close();
    await devnet?.stop();
    if (work) await rm(work, { recursive: true, force: true });
    expect(alive(pid)).toBe(false);
  });

  it('runs in a confined process of its own', async () => {
    expect(plugin.process.pid).not.toBe(process.pid);
    expect(plugin.verification.factory).toBeUndefined();
    expect(adapter.describe()).toEqual(inProcess.describe());
    expect(adapter.identity.accountAlgorithms()).toEqual(['secp256k1']);
    expect(adapter.interchain && typeof adapter.interchain.verify).toBe('function');
    // Optional members cross the boundary exactly as the adapter has them: delivery is claimed, so present on both sides.
    expect(adapter.describe().capabilities).toContain('interchain.deliver');
    for (const member of [
      'deliver',
      'acknowledge',
      'recordTimeout',
      'closeTimedOut',
      'packetState',
      'setGrant',
      'configureDelivery',
    ] as const) {
      expect(typeof adapter.interchain?.[member], member).toBe(typeof inProcess.interchain?.[member]);
      expect(typeof adapter.interchain?.[member], member).toBe('function');
    }
    expect((await adapter.gateway.health()).ok).toBe(true);
  });

  it('put / get / history / list / delete', async () => {
    const r1 = await adapter.kv.put({ app, key: 'city/tokyo', value: bytes('sunny'), requestId: 'iso-1' }, adminSigner);
    expect(r1.txId).toMatch(/^0x[0-9a-f]{64}$/);
    await adapter.kv.put({ app, key: 'city/tokyo', value: bytes('rain'), requestId: 'iso-2' }, adminSigner);
    expect(text((await adapter.kv.get(app, 'city/tokyo'))!.value)).toBe('rain');
    const history = await adapter.kv.history(app, 'city/tokyo');
    expect(history.map((h) => text(h.value!))).toEqual(['sunny', 'rain']);
    expect(history[0]!.txId).toBe(r1.txId);
    await adapter.kv.put({ app, key: 'city/osaka', value: bytes('cloudy'), requestId: 'iso-3' }, adminSigner);
    expect((await adapter.kv.list(app, 'city/')).entries.map((e) => e.key)).toEqual(['city/osaka', 'city/tokyo']);
    await adapter.kv.delete({ app, key: 'city/osaka', requestId: 'iso-4' }, adminSigner);
    expect(await adapter.kv.get(app, 'city/osaka')).toBeNull();
    expect((await adapter.kv.history(app, 'city/osaka')).map((h) => h.value === null)).toEqual([false, true]);
    // idempotent on the request id, and the same answer the in-process adapter reads
    expect(await adapter.kv.put({ app, key: 'city/tokyo', value: bytes('sunny'), requestId: 'iso-1' }, adminSigner)).toEqual(r1);
    expect(await inProcess.kv.get(app, 'city/tokyo')).toEqual(await adapter.kv.get(app, 'city/tokyo'));
  });

  it('submits with a hosted signer: signed in the node on request, the private key never crosses', async () => {
    const receipt = await adapter.gateway.submit(
      { app, method: 'put', args: ['hosted', bytes('signed in the node')], requestId: 'iso-submit-1' },
      adminSigner,
    );
    expect(receipt.status).toBe('committed');
    expect(text((await adapter.gateway.evaluate({ app, method: 'get', args: ['hosted'] })).result)).toBe('signed in the node');
    const signRequests = fromChild.filter((m) => m.t === 'sign-request');
    expect(signRequests.length).toBeGreaterThanOrEqual(6);
    expect(signRequests.every((m) => m.digest?.length === 32)).toBe(true);
    expect(holds(toChild, adminKey.publicKey)).toBe(true);
    for (const key of [adminKey.privateKey, memberKey.privateKey]) {
      expect(holds(toChild, key)).toBe(false);
      expect(holds(fromChild, key)).toBe(false);
    }
  });

  it('user-key mode: the client signs the prepared transaction, the plugin relays it', async () => {
    const account = await adapter.identity.provision(member.signerFor('ethereum', 'secp256k1'));
    await adapter.lifecycle.addMember(app, account, adminSigner);
    const request = { app, method: 'put', args: ['user-key', bytes('client-signed')], requestId: 'iso-user-1' };
    const prepared = await adapter.gateway.prepare(request, { publicKey: memberKey.publicKey, algorithm: 'secp256k1' });
    expect(prepared.digest).toMatch(/^0x[0-9a-f]{64}$/);
    const signature = signDigest('secp256k1', memberKey.privateKey, fromHex(prepared.digest.slice(2)));
    const receipt = await adapter.gateway.submitPrepared(prepared, signature);
    expect(receipt.requestId).toBe('iso-user-1');
    expect(text((await adapter.kv.get(app, 'user-key'))!.value)).toBe('client-signed');
    expect(await adapter.gateway.submitPrepared(prepared, signature)).toEqual(receipt);
    expect((await adapter.gateway.transaction(receipt.txId)).valid).toBe(true);
    expect((await adapter.gateway.block(receipt.block.number)).txIds).toContain(receipt.txId);
  });

  it('events: ordered, resumable from a checkpoint, cancelled by the signal', async () => {
    const ev = await adapter.lifecycle.create(
      {
        appId: `iso-ev-${Date.now()}`,
        name: 'events',
        framework: 'ethereum',
        mode: 'consortium',
        placement: 'shared',
        contract: { kind: 'preset-kv' },
        members: [],
      },
      adminSigner,
    );
    for (let i = 0; i < 4; i++)
      await adapter.kv.put({ app: ev, key: `e${i}`, value: bytes(`v${i}`), requestId: `iso-ev-${i}` }, adminSigner);
    const take = async (iterable: AsyncIterable<ChainEvent>, n: number) => {
      const out: ChainEvent[] = [];
      for await (const e of iterable) if (out.push(e) === n) break;
      return out;
    };
    const all = await take(adapter.gateway.events({ app: ev }), 4);
    expect(all.map((e) => [e.name, text(e.payload)])).toEqual([0, 1, 2, 3].map((i) => ['kv.put', `e${i}`]));
    const direct = await take(inProcess.gateway.events({ app: ev }), 4);
    expect(all).toEqual(direct);
    const resumed = await take(adapter.gateway.events({ app: ev, after: all[1]!.checkpoint }), 2);
    expect(resumed.map((e) => text(e.payload))).toEqual(['e2', 'e3']);

    const abort = new AbortController();
    const seen: string[] = [];
    const live = (async () => {
      for await (const e of adapter.gateway.events({ app: ev, after: all[3]!.checkpoint, signal: abort.signal })) {
        seen.push(text(e.payload));
        abort.abort();
      }
    })();
    await adapter.kv.put({ app: ev, key: 'live', value: bytes('x'), requestId: 'iso-ev-live' }, adminSigner);
    await live;
    expect(seen).toEqual(['live']);
    expect(toChild.filter((m) => m.t === 'cancel').length).toBeGreaterThanOrEqual(3);
  });

  it('errors keep their code, stage, field and framework detail: the same as in-process', async () => {
    const outsiderSigner = outsider.signerFor('ethereum', 'secp256k1');
    await adapter.identity.provision(outsiderSigner);
    const same = async (what: string, call: (a: Adapter) => Promise<unknown>) => {
      const [confined, direct] = await Promise.all([call(adapter).catch((e: unknown) => e), call(inProcess).catch((e: unknown) => e)]);
      expect(isBsnError(confined), `${what}: ${String(confined)}`).toBe(true);
      expect((confined as { toJSON(): unknown }).toJSON(), what).toEqual((direct as { toJSON(): unknown }).toJSON());
      return confined as { code: string; detail?: { framework: string } };
    };
    expect((await same('an empty key', (a) => a.kv.get(app, ''))).code).toBe('INVALID_INPUT');
    expect((await same('an unknown app', (a) => a.lifecycle.get({ appId: 'no-such-app' }))).code).toBe('NOT_FOUND');
    const refused = await same('a write by a non-member', (a) =>
      a.gateway.prepare(
        { app, method: 'put', args: ['outsider', bytes('x')], requestId: 'iso-outsider' },
        { publicKey: outsiderSigner.publicKey, algorithm: 'secp256k1' },
      ),
    );
    expect(refused.code).toBe('UNAUTHORIZED');
    const revert = await adapter.kv
      .put({ app, key: 'outsider', value: bytes('x'), requestId: 'iso-outsider-2' }, outsiderSigner)
      .catch((e: unknown) => e);
    expect(revert).toMatchObject({ code: 'UNAUTHORIZED', detail: { framework: 'ethereum' } });
    // a signer that fails in the node: the adapter's own mapping, as in-process
    const broken: Signer = {
      ...adminSigner,
      algorithm: 'secp256k1',
      publicKey: adminSigner.publicKey,
      signDigest: async () => Promise.reject(new Error('HSM offline')),
    };
    const failed = await same('a failing signer', (a) =>
      a.kv.put({ app, key: 'hsm', value: bytes('x'), requestId: `iso-hsm-${Math.random()}` }, broken),
    );
    expect(failed).toMatchObject({ code: 'UNAUTHORIZED', message: 'the signer failed: HSM offline' });
  });
});
