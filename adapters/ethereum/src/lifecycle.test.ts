import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isBsnError, type AppSpec, type ChainAccount, type Signer } from '@bsn/contract';
import { bytes, text, unique } from '@bsn/contract/testing';
import { AnvilDevnet, actor, connect, newSigner, rpc, type StartedDevnet } from './__fixtures__/chains.js';
import type { EthereumAdapter } from './adapter.js';
import { deterministicRegistryAddress } from './registry-contract.js';

let devnet: StartedDevnet;
let adapter: EthereumAdapter;
let admin: { signer: Signer; account: ChainAccount };
let member: { signer: Signer; account: ChainAccount };
let outsider: { signer: Signer; account: ChainAccount };

beforeAll(async () => {
  devnet = await new AnvilDevnet().start();
  adapter = await connect(devnet);
  [admin, member, outsider] = await Promise.all([actor(adapter), actor(adapter), actor(adapter)]);
});
afterAll(async () => {
  await adapter?.close();
  await devnet?.stop();
});

const spec = (overrides: Partial<AppSpec> = {}): AppSpec => ({
  appId: unique('app'),
  name: 'lifecycle',
  framework: 'ethereum',
  mode: 'consortium',
  placement: 'shared',
  contract: { kind: 'preset-kv' },
  members: [member.account],
  ...overrides,
});

async function failure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isBsnError(error)) throw new Error(`expected a typed error, got ${String(error)}`);
  return error;
}

const put = (appId: string, who: { signer: Signer }, key = unique('k')) =>
  adapter.kv.put({ app: { appId }, key, value: bytes('v'), requestId: unique('req') }, who.signer);

describe('create and get', () => {
  test('create makes an active app at its own contract; get agrees; the same id again is a CONFLICT', async () => {
    const s = spec({ mode: 'private', placement: 'dedicated' });
    const created = await adapter.lifecycle.create(s, admin.signer);
    expect(created).toMatchObject({
      appId: s.appId,
      framework: 'ethereum',
      mode: 'private',
      placement: 'dedicated',
      state: 'active',
      contract: { kind: 'preset-kv', version: 1 },
      admin: admin.account.id,
    });
    expect(created.members).toEqual([admin.account.id, member.account.id]);
    expect(created.location.address).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(created.location.registry).toBe(adapter.registryAddress);
    expect(await rpc<string>(devnet, 'eth_getCode', [created.location.address, 'latest'])).not.toBe('0x');
    expect(await adapter.lifecycle.get({ appId: s.appId })).toEqual(created);
    const again = await failure(adapter.lifecycle.create(s, outsider.signer));
    expect([again.code, again.field]).toEqual(['CONFLICT', '/appId']);
  });

  test('a refused spec leaves no app behind', async () => {
    const appId = unique('app');
    const badMember = { ...member.account, id: 'definitely not an account', publicKey: 'zz' };
    const cases: Array<[Partial<AppSpec>, string]> = [
      [{ appId, members: [member.account, badMember] }, '/members/1/id'],
      [{ appId, members: [{ ...member.account, publicKey: outsider.account.publicKey }] }, '/members/0/publicKey'],
      [{ appId, members: [{ ...member.account, framework: 'fabric' }] }, '/members/0/framework'],
      [{ appId: 'bad id with spaces' }, '/appId'],
      [{ appId, mode: 'public' as never }, '/mode'],
      [{ appId, placement: 'somewhere' as never }, '/placement'],
      [{ appId, framework: 'fabric' }, '/framework'],
      [{ appId, contract: { kind: 'custom', language: 'solidity', files: {} } }, '/contract/kind'],
    ];
    for (const [overrides, field] of cases) {
      const error = await failure(adapter.lifecycle.create(spec(overrides), admin.signer));
      expect([error.code, error.field]).toEqual(['INVALID_INPUT', field]);
    }
    expect((await failure(adapter.lifecycle.get({ appId }))).code).toBe('NOT_FOUND');
  });

  test('an admin without funds is refused by the chain and nothing is created', async () => {
    const broke = newSigner();
    const appId = unique('app');
    const error = await failure(adapter.lifecycle.create(spec({ appId }), broke));
    expect(error.code).toBe('REJECTED_BY_CHAIN');
    expect((await failure(adapter.lifecycle.get({ appId }))).code).toBe('NOT_FOUND');
  });
});

describe('members, freeze, upgrade', () => {
  test('only members write; added members can, removed members no longer can; only the admin manages members', async () => {
    const app = await adapter.lifecycle.create(spec(), admin.signer);
    const newcomer = await actor(adapter);
    expect((await failure(put(app.appId, newcomer))).code).toBe('UNAUTHORIZED');
    expect((await failure(adapter.lifecycle.addMember(app, newcomer.account, member.signer))).code).toBe('UNAUTHORIZED');
    const added = await adapter.lifecycle.addMember(app, newcomer.account, admin.signer);
    expect(added.members).toContain(newcomer.account.id);
    // Adding twice changes nothing and sends nothing.
    const block = Number(await rpc<string>(devnet, 'eth_blockNumber'));
    expect(await adapter.lifecycle.addMember(app, newcomer.account, admin.signer)).toEqual(added);
    expect(Number(await rpc<string>(devnet, 'eth_blockNumber'))).toBe(block);
    await put(app.appId, newcomer);
    const removed = await adapter.lifecycle.removeMember(app, newcomer.account, admin.signer);
    expect(removed.members).not.toContain(newcomer.account.id);
    expect((await failure(put(app.appId, newcomer))).code).toBe('UNAUTHORIZED');
    expect((await failure(adapter.lifecycle.removeMember(app, admin.account, admin.signer))).code).toBe('CONFLICT');
    const bad = await failure(adapter.lifecycle.addMember(app, { ...member.account, id: '0x12' }, admin.signer));
    expect([bad.code, bad.field]).toEqual(['INVALID_INPUT', '/member/id']);
  });

  test('a frozen app serves reads and refuses every write until unfrozen', async () => {
    const app = await adapter.lifecycle.create(spec(), admin.signer);
    const key = unique('k');
    await put(app.appId, member, key);
    expect((await failure(adapter.lifecycle.freeze(app, member.signer))).code).toBe('UNAUTHORIZED');
    expect((await adapter.lifecycle.freeze(app, admin.signer)).state).toBe('frozen');
    const refused = await failure(put(app.appId, member));
    expect(refused.code).toBe('UNAUTHORIZED');
    expect(refused.detail?.message).toContain('AppFrozen');
    expect((await failure(adapter.kv.delete({ app, key, requestId: unique('req') }, admin.signer))).code).toBe('UNAUTHORIZED');
    expect(text((await adapter.kv.get(app, key))!.value)).toBe('v');
    expect((await adapter.lifecycle.unfreeze(app, admin.signer)).state).toBe('active');
    await put(app.appId, member);
  });

  test('upgrade moves the app to new code, keeps its state and bumps the version; only the admin upgrades', async () => {
    const app = await adapter.lifecycle.create(spec(), admin.signer);
    const key = unique('k');
    const before = await put(app.appId, member, key);
    const upgraded = await adapter.lifecycle.upgrade(app, { kind: 'preset-kv' }, admin.signer);
    expect(upgraded.contract.version).toBe(2);
    expect(upgraded.location.address).toBe(app.location.address);
    expect(upgraded.location.implementation).not.toBe(app.location.implementation);
    expect(upgraded.members).toEqual(app.members);
    const entry = await adapter.kv.get(app, key);
    expect([text(entry!.value), entry!.txId]).toEqual(['v', before.txId]);
    await put(app.appId, member);
    expect((await failure(adapter.lifecycle.upgrade(app, { kind: 'preset-kv' }, member.signer))).code).toBe('UNAUTHORIZED');
    expect((await failure(adapter.lifecycle.upgrade(app, { kind: 'custom', language: 'solidity', files: {} }, admin.signer))).field).toBe(
      '/contract/kind',
    );
    expect((await adapter.lifecycle.upgrade(app, { kind: 'preset-kv' }, admin.signer)).contract.version).toBe(3);
  });
});

describe('isolation and restarts', () => {
  test("an app's members cannot write another app, and apps do not see each other's keys", async () => {
    const a = await adapter.lifecycle.create(spec({ members: [] }), admin.signer);
    const b = await adapter.lifecycle.create(spec({ members: [member.account] }), outsider.signer);
    const key = unique('shared-name');
    await put(a.appId, admin, key);
    expect((await failure(put(b.appId, admin, key))).code).toBe('UNAUTHORIZED');
    expect((await failure(put(a.appId, member, key))).code).toBe('UNAUTHORIZED');
    await put(b.appId, member, key);
    expect((await adapter.kv.history(a, key)).length).toBe(1);
    expect((await adapter.kv.history(b, key)).length).toBe(1);
    expect((await adapter.kv.history(a, key))[0]!.txId).not.toBe((await adapter.kv.history(b, key))[0]!.txId);
    expect((await adapter.kv.list(a, '')).entries.map((e) => e.key)).toEqual([key]);
    // Admin rights do not carry over either.
    expect((await failure(adapter.lifecycle.freeze(b, admin.signer))).code).toBe('UNAUTHORIZED');
  });

  test('a second adapter on the same chain finds the registry and the apps; an explicit registry address works too', async () => {
    const app = await adapter.lifecycle.create(spec(), admin.signer);
    const key = unique('k');
    await put(app.appId, member, key);
    expect(adapter.registryAddress).toBe(deterministicRegistryAddress(31337));
    const second = await connect(devnet);
    const explicit = await connect(devnet, { faucet: undefined, registry: adapter.registryAddress });
    try {
      for (const other of [second, explicit]) {
        expect(other.registryAddress).toBe(adapter.registryAddress);
        expect(await other.lifecycle.get(app)).toEqual(app);
        expect(text((await other.kv.get(app, key))!.value)).toBe('v');
      }
      // Both write through the same key without nonce clashes.
      await Promise.all([
        put(app.appId, member),
        second.kv.put({ app, key: unique('k'), value: bytes('2'), requestId: unique('req') }, member.signer),
      ]);
      // Without a faucet, provisioning an empty account is refused with a clear error.
      const error = await failure(explicit.identity.provision(newSigner()));
      expect(error.code).toBe('UNAUTHORIZED');
      expect(error.message).toMatch(/no faucet/);
      expect((await explicit.identity.provision(member.signer)).id).toBe(member.account.id);
    } finally {
      await second.close();
      await explicit.close();
    }
  });

  test('a registry address with no registry behind it is refused at connect', async () => {
    const error = await failure(connect(devnet, { faucet: undefined, registry: admin.account.id }));
    expect([error.code, error.field]).toEqual(['INVALID_INPUT', '/registry']);
  });
});
