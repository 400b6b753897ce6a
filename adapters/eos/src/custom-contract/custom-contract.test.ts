import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBsnError, type AppInfo, type ContractSource, type EosWasmPackage, type TokenSample } from '@bsn/contract';
import { takeEvents, unique } from '@bsn/contract/testing';
import { AntelopeRpc, NATIVE_ABI } from '../antelope/index.js';
import { accountNameOf, PERMISSION } from '../accounts.js';
import { resolveConfig } from '../config.js';
import { ContractAbis } from '../contract-abis.js';
import { appScope } from '../contract-keys.js';
import { eosTokenSample } from '../devnets/token-sample.js';
import { NodeApi } from '../node-api.js';
import { Transactions } from '../transactions.js';
import { startNode, whyNoNode, type Actor, type EosNode } from '../__fixtures__/node.js';
import { appAccountOf } from './app-account.js';

const why = await whyNoNode();
if (why) console.warn(`skipped: ${why}`);

const wasmHash = (source: ContractSource) =>
  createHash('sha256')
    .update(Buffer.from((source as { package: EosWasmPackage }).package.wasm, 'base64'))
    .digest('hex');

describe.skipIf(why)('apps with their own contract on a real Leap node: the sample token on an account the admin holds', () => {
  let node: EosNode;
  let sample: TokenSample;
  let admin: Actor;
  let member: Actor;
  let outsider: Actor;
  let txs: Transactions;
  let abis: ContractAbis;
  let registry: string;

  /** nodeos's own answer, none of the adapter's code. */
  const chain = async <T>(path: string, body: unknown): Promise<{ status: number; body: T }> => {
    const r = await fetch(`${node.devnet.network.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as T };
  };
  const codeHash = async (account: string) =>
    (await chain<{ code_hash: string }>('/v1/chain/get_code_hash', { account_name: account })).body.code_hash;
  const registryRow = async (appId: string) => {
    const id = appScope(appId);
    const { body } = await chain<{ rows: Array<{ appid: string; version: number; admin: string }> }>('/v1/chain/get_table_rows', {
      json: true,
      code: registry,
      scope: registry,
      table: 'apps',
      lower_bound: id,
      upper_bound: id,
    });
    return body.rows.find((r) => r.appid === appId);
  };
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: unknown) => e,
    );
  const create = (contract: ContractSource, appId = unique('token')) =>
    node.adapter.lifecycle.create(
      { appId, name: 'sample token', framework: 'eos', mode: 'consortium', placement: 'shared', contract, members: [member.account] },
      admin.signer,
    );
  const call = (app: AppInfo, who: Actor, method: string, args: string[]) =>
    node.adapter.gateway.submit({ app, method, args, requestId: unique('req') }, who.signer);
  const balance = async (app: AppInfo, who: Actor) =>
    sample.balanceOf((await node.adapter.gateway.evaluate({ app, ...sample.balance(who.account) })).result);

  beforeAll(async () => {
    node = await startNode();
    sample = await eosTokenSample();
    [admin, member, outsider] = await Promise.all([node.actor(), node.actor(), node.actor()]);
    const config = resolveConfig(node.devnet.network);
    const api = new NodeApi(new AntelopeRpc(config.url, config.requestTimeoutMs));
    txs = new Transactions(api, config);
    abis = new ContractAbis(api);
    registry = config.contract;
  }, 120_000);
  afterAll(() => node?.stop());

  it('deploys on an account only the admin holds, runs the initializer, is called by action name, read by a read-only action', async () => {
    const v1 = sample.v1(admin.account);
    const app = await create(v1);
    const account = app.location['contract']!;
    expect(account).toBe(appAccountOf(registry, app.appId));
    expect(app).toMatchObject({ contract: { kind: 'package', version: 1 }, admin: admin.account.id });
    // On the chain: the package's code, and no key but the admin's active permission (and the contract's own eosio.code).
    expect(await codeHash(account)).toBe(wasmHash(v1));
    const { body } = await chain<{ permissions: Array<{ perm_name: string; required_auth: { keys: unknown[]; accounts: unknown[] } }> }>(
      '/v1/chain/get_account',
      { account_name: account },
    );
    const adminName = accountNameOf(admin.signer.algorithm, admin.signer.publicKey);
    expect(Object.fromEntries(body.permissions.map((p) => [p.perm_name, p.required_auth]))).toEqual({
      owner: { threshold: 1, keys: [], accounts: [{ permission: { actor: adminName, permission: 'active' }, weight: 1 }], waits: [] },
      active: {
        threshold: 1,
        keys: [],
        accounts: expect.arrayContaining([
          { permission: { actor: adminName, permission: 'active' }, weight: 1 },
          { permission: { actor: account, permission: 'eosio.code' }, weight: 1 },
        ]) as unknown,
        waits: [],
      },
    });

    const minted = await call(app, admin, ...(Object.values(sample.mint(member.account, 1000n)) as [string, string[]]));
    expect(minted.events.map((e) => e.name)).toEqual(['mint', 'transferlog']);
    expect(sample.transferOf(minted.events[1]!.payload)).toEqual({ from: `${account}@active`, to: member.account.id, value: 1000n });
    const looked = await node.adapter.gateway.transaction(minted.txId, { appId: app.appId });
    expect(looked).toMatchObject({ app: app.appId, method: 'mint', valid: true, block: minted.block });
    expect(looked.events).toEqual(minted.events);
    await call(app, member, 'transfer', [admin.account.id, '250']);
    expect([await balance(app, member), await balance(app, admin)]).toEqual([750n, 250n]);
    expect(await sample.reader(node.devnet.network).balance(app, member.account)).toBe(750n);
    // The contract's own rule, and the adapter's: only its owner mints, only members write.
    const mintBy = await refusal(call(app, member, 'mint', [member.account.id, '5']));
    expect(isBsnError(mintBy, 'UNAUTHORIZED') && JSON.stringify(mintBy.detail), String(mintBy)).toMatch(/missing authority/);
    const outsiders = await refusal(call(app, outsider, 'transfer', [member.account.id, '0']));
    expect(isBsnError(outsiders, 'UNAUTHORIZED'), String(outsiders)).toBe(true);
    const noSuch = await refusal(call(app, member, 'burn', ['1']));
    expect(isBsnError(noSuch, 'INVALID_INPUT') && noSuch.field).toBe('/method');
    const badArg = await refusal(call(app, member, 'transfer', [admin.account.id, 'lots']));
    expect(isBsnError(badArg, 'INVALID_INPUT') && badArg.field).toBe('/args/1');
    expect(await balance(app, member)).toBe(750n);

    // The stream: the app account's actions from irreversible blocks, resumable after any of them.
    const streamed = await takeEvents(node.adapter.gateway, { app, name: 'transferlog' }, 2, 30_000);
    expect(streamed.map((e) => sample.transferOf(e.payload).value)).toEqual([1000n, 250n]);
    const resumed = await takeEvents(node.adapter.gateway, { app, name: 'transferlog', after: streamed[0]!.checkpoint }, 1, 30_000);
    expect(resumed.map((e) => e.txId)).toEqual([streamed[1]!.txId]);
  });

  it("refuses an upgrade by anyone but the admin — through the adapter, and straight to the chain with the attacker's own key — and nothing changes", async () => {
    const app = await create(sample.v1(admin.account));
    const account = app.location['contract']!;
    const code = await codeHash(account);
    const upgradeBy = await refusal(node.adapter.lifecycle.upgrade(app, sample.v2(), member.signer));
    expect(isBsnError(upgradeBy, 'UNAUTHORIZED'), String(upgradeBy)).toBe(true);
    // The attacker signs setcode + setabi for the app's account themselves, and the registry's upgrade in their name.
    const v2 = (sample.v2() as { package: EosWasmPackage }).package;
    const attacker = accountNameOf(outsider.signer.algorithm, outsider.signer.publicKey);
    for (const authorization of [[{ actor: account, permission: PERMISSION }], [{ actor: attacker, permission: PERMISSION }]]) {
      const direct = await refusal(
        txs.submit(
          [
            {
              account: 'eosio',
              name: 'setcode',
              authorization,
              data: NATIVE_ABI.encodeAction('setcode', {
                account,
                vmtype: 0,
                vmversion: 0,
                code: Buffer.from(v2.wasm, 'base64').toString('hex'),
              }),
            },
          ],
          outsider.signer,
          { what: 'an attacker setting the code' },
        ),
      );
      expect(isBsnError(direct, 'UNAUTHORIZED'), String(direct)).toBe(true);
    }
    const registryAbi = await abis.of(registry);
    const bump = await refusal(
      txs.submit(
        [
          {
            account: registry,
            name: 'upgrade',
            authorization: [{ actor: attacker, permission: PERMISSION }],
            data: registryAbi.encodeAction('upgrade', { appid: app.appId, admin: attacker }),
          },
        ],
        outsider.signer,
        { what: "an attacker bumping the app's version" },
      ),
    );
    expect(isBsnError(bump, 'UNAUTHORIZED'), String(bump)).toBe(true);
    expect(await codeHash(account)).toBe(code);
    expect((await registryRow(app.appId))?.version).toBe(1);
    expect((await node.adapter.lifecycle.get(app)).contract.version).toBe(1);
  });

  it('upgrades in one transaction: a failing migration leaves version 1 serving; version 2 keeps the balances and adds burn', async () => {
    const app = await create(sample.v1(admin.account));
    const account = app.location['contract']!;
    await call(app, admin, 'mint', [member.account.id, '1000']);
    const failed = await refusal(node.adapter.lifecycle.upgrade(app, sample.failingV2(), admin.signer));
    expect(isBsnError(failed, 'REJECTED_BY_CHAIN'), String(failed)).toBe(true);
    expect(isBsnError(failed) && JSON.stringify(failed.detail)).toMatch(/symbol must not be empty/);
    expect(await codeHash(account)).toBe(wasmHash(sample.v1(admin.account)));
    expect((await registryRow(app.appId))?.version).toBe(1);

    const upgraded = await node.adapter.lifecycle.upgrade(app, sample.v2(), admin.signer);
    expect(upgraded.contract).toEqual({ kind: 'package', version: 2 });
    expect(await codeHash(account)).toBe(wasmHash(sample.v2()));
    expect((await registryRow(app.appId))?.version).toBe(2);
    expect(await balance(upgraded, member)).toBe(1000n);
    await call(upgraded, member, 'burn', ['100']);
    expect(await balance(upgraded, member)).toBe(900n);
    // The migration ran in the upgrade's transaction: the symbol is set in the same rows.
    const config = await chain<{ rows: Array<{ symbol: string }> }>('/v1/chain/get_table_rows', {
      json: true,
      code: account,
      scope: account,
      table: 'config',
    });
    expect(config.body.rows.map((r) => r.symbol)).toEqual(['SMP']);
  });

  it('a bad package makes nothing on the chain: no account, no record', async () => {
    const bad = sample.badPackage();
    const appId = unique('bad');
    const refused = await refusal(create(bad.contract, appId));
    expect(isBsnError(refused, 'INVALID_INPUT') && refused.field).toBe(bad.field);
    const wrongInit = await refusal(create({ ...sample.v1(admin.account), call: { method: 'init', args: ['NOT A NAME'] } }, appId));
    expect(isBsnError(wrongInit, 'INVALID_INPUT') && wrongInit.field).toBe('/contract/call/args/0');
    expect((await chain('/v1/chain/get_account', { account_name: appAccountOf(registry, appId) })).status).not.toBe(200);
    expect(await registryRow(appId)).toBeUndefined();
  });
});
