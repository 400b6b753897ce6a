import { afterAll, beforeAll, describe, expect, test, type TestContext } from 'vitest';
import { isBsnError, type AppSpec } from '@bsn/core';
import type { FabricAdapter } from './adapter.js';
import { actor, bytes, connect, newApp, startFabric, text, unique, type Actor, type StartedFabricDevnet } from './__fixtures__/network.js';

let skip: string | undefined;
let devnet: StartedFabricDevnet;
let org1: FabricAdapter;
let org2: FabricAdapter;
let admin: Actor;
let member: Actor;

beforeAll(async () => {
  const started = await startFabric();
  if (!started.devnet) {
    skip = started.skip;
    return;
  }
  devnet = started.devnet;
  org1 = await connect(devnet);
  org2 = await connect(devnet, { organization: 'Org2MSP' });
  [admin, member] = await Promise.all([actor(org1), actor(org1)]);
}, 180_000);

afterAll(async () => {
  await org1?.close();
  await org2?.close();
  await devnet?.stop();
});

function needsFabric(ctx: TestContext): void {
  if (skip) ctx.skip(skip);
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  return isBsnError(error) ? `${error.code}${error.field ? ` ${error.field}` : ''}` : `no typed error: ${String(error)}`;
}

const spec = (overrides: Partial<AppSpec> = {}): AppSpec => ({
  appId: unique('lc'), name: 'lifecycle', framework: 'fabric', mode: 'consortium', placement: 'shared', contract: { kind: 'preset-kv' }, members: [], ...overrides,
});

describe('app lifecycle on Fabric', () => {
  test('specs Fabric cannot honour here are refused before anything is sent, naming the field', async (ctx) => {
    needsFabric(ctx);
    expect(await refusal(org1.lifecycle.create(spec({ placement: 'elsewhere' as AppSpec['placement'] }), admin.signer))).toBe('INVALID_INPUT /placement');
    expect(await refusal(org1.lifecycle.create(spec({ contract: { kind: 'custom', language: 'node', files: {} } }), admin.signer))).toBe('INVALID_INPUT /contract/kind');
    expect(await refusal(org1.lifecycle.create(spec({ framework: 'ethereum' }), admin.signer))).toBe('INVALID_INPUT /framework');
    const forged = { ...member.account, id: member.account.id.replace(/.$/, (c) => (c === '0' ? '1' : '0')) };
    expect(await refusal(org1.lifecycle.create(spec({ members: [forged] }), admin.signer))).toBe('INVALID_INPUT /members/0/id');
  });

  test('an app created through Org1 admits a member of Org2, who writes through Org2\'s own gateway peer', async (ctx) => {
    needsFabric(ctx);
    const partner = await actor(org2);
    expect(partner.account.id).toMatch(/^Org2MSP:/);
    expect(partner.account.attributes?.mspId).toBe('Org2MSP');
    const app = await newApp(org1, admin, [member.account, partner.account], 'cross');
    expect(app.members).toEqual([admin.account.id, member.account.id, partner.account.id]);
    expect(app.location).toEqual({ channel: devnet.network.channel, chaincode: 'bsn-preset-kv', namespace: `k/${app.appId}/` });
    const key = unique('k');
    const receipt = await org2.kv.put({ app, key, value: bytes('from org2'), requestId: unique('req') }, partner.signer);
    expect(text((await org1.kv.get(app, key))!.value)).toBe('from org2');
    expect((await org1.kv.get(app, key))!.txId).toBe(receipt.txId);
    // The same key, provisioned through Org1, is another account (the org is part of the id).
    const sameKeyInOrg1 = await org1.identity.accountFor(partner.signer.publicKey, 'secp256r1');
    expect(sameKeyInOrg1.id).not.toBe(partner.account.id);
    expect(await refusal(org1.kv.put({ app, key, value: bytes('x'), requestId: unique('req') }, partner.signer))).toBe('UNAUTHORIZED');
  });

  test('upgrade bumps the version for the admin only; the admin stays a member; a frozen app still answers a repeated request id', async (ctx) => {
    needsFabric(ctx);
    const app = await newApp(org1, admin, [member.account]);
    expect(app.contract).toEqual({ kind: 'preset-kv', version: 1 });
    expect((await org1.lifecycle.upgrade(app, { kind: 'preset-kv' }, admin.signer)).contract.version).toBe(2);
    expect((await org1.lifecycle.upgrade(app, { kind: 'preset-kv' }, admin.signer)).contract.version).toBe(3);
    expect(await refusal(org1.lifecycle.upgrade(app, { kind: 'preset-kv' }, member.signer))).toBe('UNAUTHORIZED');
    expect(await refusal(org1.lifecycle.removeMember(app, admin.account, admin.signer))).toBe('CONFLICT');
    // adding twice changes nothing
    const once = await org1.lifecycle.addMember(app, member.account, admin.signer);
    expect(once.members.filter((m) => m === member.account.id)).toHaveLength(1);

    const requestId = unique('req');
    const write = { app, key: unique('k'), value: bytes('before the freeze'), requestId };
    const first = await org1.kv.put(write, member.signer);
    await org1.lifecycle.freeze(app, admin.signer);
    expect((await org1.kv.put(write, member.signer)).txId).toBe(first.txId);
    expect(await refusal(org1.kv.put({ ...write, requestId: unique('req') }, member.signer))).toBe('UNAUTHORIZED');
    expect((await org1.lifecycle.get(app)).state).toBe('frozen');
    // A new adapter instance (a restarted node) sees the same app.
    const restarted = await connect(devnet);
    try {
      expect(await restarted.lifecycle.get(app)).toEqual(await org1.lifecycle.get(app));
    } finally {
      await restarted.close();
    }
  });
});
