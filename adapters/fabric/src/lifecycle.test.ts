import { describe, expect, test } from 'vitest';
import type { AppSpec } from '@bsn/contract';
import { bytes, text, unique } from '@bsn/contract/testing';
import { actor, connect, newApp, refusal, useFabricNetwork } from './__fixtures__/network.js';

const fabric = useFabricNetwork({ org2: true, actors: ['admin', 'member'] });

const spec = (overrides: Partial<AppSpec> = {}): AppSpec => ({
  appId: unique('lc'),
  name: 'lifecycle',
  framework: 'fabric',
  mode: 'consortium',
  placement: 'shared',
  contract: { kind: 'preset-kv' },
  members: [],
  ...overrides,
});

describe('app lifecycle on Fabric', () => {
  test('specs Fabric cannot honour here are refused before anything is sent, naming the field', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    expect(
      await refusal(fabric.org1.lifecycle.create(spec({ placement: 'elsewhere' as AppSpec['placement'] }), fabric.actors.admin.signer)),
    ).toBe('INVALID_INPUT /placement');
    expect(
      await refusal(
        fabric.org1.lifecycle.create(spec({ contract: { kind: 'custom', language: 'node', files: {} } }), fabric.actors.admin.signer),
      ),
    ).toBe('INVALID_INPUT /contract/kind');
    expect(await refusal(fabric.org1.lifecycle.create(spec({ framework: 'ethereum' }), fabric.actors.admin.signer))).toBe(
      'INVALID_INPUT /framework',
    );
    const forged = { ...fabric.actors.member.account, id: fabric.actors.member.account.id.replace(/.$/, (c) => (c === '0' ? '1' : '0')) };
    expect(await refusal(fabric.org1.lifecycle.create(spec({ members: [forged] }), fabric.actors.admin.signer))).toBe(
      'INVALID_INPUT /members/0/id',
    );
  });

  test("an app created through Org1 admits a member of Org2, who writes through Org2's own gateway peer", async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const partner = await actor(fabric.org2);
    expect(partner.account.id).toMatch(/^Org2MSP:/);
    expect(partner.account.attributes?.mspId).toBe('Org2MSP');
    const app = await newApp(fabric.org1, fabric.actors.admin, [fabric.actors.member.account, partner.account], 'cross');
    expect(app.members).toEqual([fabric.actors.admin.account.id, fabric.actors.member.account.id, partner.account.id]);
    expect(app.location).toEqual({ channel: fabric.devnet.network.channel, chaincode: 'bsn-preset-kv', namespace: `k/${app.appId}/` });
    const key = unique('k');
    const receipt = await fabric.org2.kv.put({ app, key, value: bytes('from org2'), requestId: unique('req') }, partner.signer);
    expect(text((await fabric.org1.kv.get(app, key))!.value)).toBe('from org2');
    expect((await fabric.org1.kv.get(app, key))!.txId).toBe(receipt.txId);
    // The same key, provisioned through Org1, is another account (the org is part of the id).
    const sameKeyInOrg1 = await fabric.org1.identity.accountFor(partner.signer.publicKey, 'secp256r1');
    expect(sameKeyInOrg1.id).not.toBe(partner.account.id);
    expect(await refusal(fabric.org1.kv.put({ app, key, value: bytes('x'), requestId: unique('req') }, partner.signer))).toBe(
      'UNAUTHORIZED',
    );
  });

  test('upgrade bumps the version for the admin only; the admin stays a member; a frozen app still answers a repeated request id', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const app = await newApp(fabric.org1, fabric.actors.admin, [fabric.actors.member.account]);
    expect(app.contract).toEqual({ kind: 'preset-kv', version: 1 });
    expect((await fabric.org1.lifecycle.upgrade(app, { kind: 'preset-kv' }, fabric.actors.admin.signer)).contract.version).toBe(2);
    expect((await fabric.org1.lifecycle.upgrade(app, { kind: 'preset-kv' }, fabric.actors.admin.signer)).contract.version).toBe(3);
    expect(await refusal(fabric.org1.lifecycle.upgrade(app, { kind: 'preset-kv' }, fabric.actors.member.signer))).toBe('UNAUTHORIZED');
    expect(await refusal(fabric.org1.lifecycle.removeMember(app, fabric.actors.admin.account, fabric.actors.admin.signer))).toBe(
      'CONFLICT',
    );
    // adding twice changes nothing
    const once = await fabric.org1.lifecycle.addMember(app, fabric.actors.member.account, fabric.actors.admin.signer);
    expect(once.members.filter((m) => m === fabric.actors.member.account.id)).toHaveLength(1);

    const requestId = unique('req');
    const write = { app, key: unique('k'), value: bytes('before the freeze'), requestId };
    const first = await fabric.org1.kv.put(write, fabric.actors.member.signer);
    await fabric.org1.lifecycle.freeze(app, fabric.actors.admin.signer);
    expect((await fabric.org1.kv.put(write, fabric.actors.member.signer)).txId).toBe(first.txId);
    expect(await refusal(fabric.org1.kv.put({ ...write, requestId: unique('req') }, fabric.actors.member.signer))).toBe('UNAUTHORIZED');
    expect((await fabric.org1.lifecycle.get(app)).state).toBe('frozen');
    // A new adapter instance (a restarted node) sees the same app.
    const restarted = await connect(fabric.devnet);
    try {
      expect(await restarted.lifecycle.get(app)).toEqual(await fabric.org1.lifecycle.get(app));
    } finally {
      await restarted.close();
    }
  });
});
