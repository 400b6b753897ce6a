/**
 * Apps that bring their own contract on the FISCO BCOS 3.x emulator (a real EVM, not a FISCO
 * node), with the kit's sample token built for the chain's crypto mode: deployed behind its
 * proxy, called by ABI name, events decoded, upgraded keeping state, and every refused change —
 * through the adapter and by attackers sending their own transactions — leaving the chain as
 * it was, read by the sample's chain reader (bare JSON-RPC).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isBsnError,
  type AppInfo,
  type ChainAccount,
  type ContractSource,
  type Signer,
  type TokenChainReader,
  type TokenSample,
} from '@bsn/contract';
import { takeEvents } from '@bsn/contract/testing';
import { startTestChain, type TestChain } from '../__fixtures__/fisco-chain.js';
import { resolveConfig } from '../config.js';
import { ChainAbi } from '../contracts/chain-abi.js';
import { fiscoTokenSample } from '../devnets/token-sample.js';
import { ChainReader } from '../node/chain-reader.js';
import { FiscoRpc } from '../node/fisco-rpc.js';
import type { CryptoMode } from '../protocol/crypto-suite.js';
import { cryptoSuite } from '../protocol/crypto-suite.js';
import { Transactions } from '../transactions.js';
import { customAppsInterface } from './contracts.js';
import { deployCustomApps } from './deploy-custom-apps.js';

async function refusal(attempt: Promise<unknown>): Promise<{ code: string; field?: string; message: string }> {
  const error = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isBsnError(error)) throw new Error(`expected a typed error, got ${error === undefined ? 'success' : String(error)}`);
  return { code: error.code, ...(error.field !== undefined && { field: error.field }), message: error.message };
}

interface World {
  chain: TestChain;
  sample: TokenSample;
  reader: TokenChainReader;
  admin: Signer;
  member: Signer;
  outsider: Signer;
  accounts: { admin: ChainAccount; member: ChainAccount; outsider: ChainAccount };
  /** An attacker's own transactions, signed and sent without the adapter. */
  raw: Transactions;
  close(): Promise<void>;
}

async function world(mode: CryptoMode): Promise<World> {
  const base = await startTestChain(mode);
  const customApps = await deployCustomApps({
    rpcUrl: base.network.rpcUrl,
    crypto: mode,
    signer: base.operator,
    registry: base.network.registry,
  });
  await base.adapter.close();
  // The same chain, the adapter connected again with the custom-app registry configured.
  const { default: factory } = await import('../index.js');
  const { SILENT_LOGGER } = await import('@bsn/contract/testing');
  const network = { ...base.network, customApps };
  const adapter = await factory.connect(network, { logger: SILENT_LOGGER, dataDir: '/tmp' });
  const withCustom: TestChain = { ...base, network, adapter, close: async () => (await adapter.close(), await base.emulator.close()) };
  const [admin, member, outsider] = [base.signer(), base.signer(), base.signer()];
  const accounts = {
    admin: await adapter.identity.provision(admin),
    member: await adapter.identity.provision(member),
    outsider: await adapter.identity.provision(outsider),
  };
  const sample = await fiscoTokenSample(network);
  const rpc = new FiscoRpc(network.rpcUrl, 'group0', 15_000);
  return {
    chain: withCustom,
    sample,
    reader: sample.reader(network),
    admin,
    member,
    outsider,
    accounts,
    raw: new Transactions(cryptoSuite(mode), resolveConfig(network), new ChainReader(rpc)),
    async close() {
      rpc.close();
      await withCustom.close();
    },
  };
}

describe.each(['standard', 'sm'] as const)('apps that bring their own contract, %s crypto (emulator)', (mode) => {
  let w: World;
  let app: AppInfo;
  const submit = (call: { method: string; args: string[] }, who: Signer, requestId = `r-${Math.random()}`) =>
    w.chain.adapter.gateway.submit({ app, method: call.method, args: call.args, requestId }, who);
  const balance = async (who: ChainAccount) => {
    const read = w.sample.balanceOf((await w.chain.adapter.gateway.evaluate({ app, ...w.sample.balance(who) })).result);
    expect(read, 'the adapter and the chain agree').toBe(await w.reader.balance(app, who));
    return read;
  };

  beforeAll(async () => {
    w = await world(mode);
    app = await w.chain.adapter.lifecycle.create(
      {
        appId: `token-${mode}`,
        name: 'sample token',
        framework: 'fisco-bcos',
        mode: 'consortium',
        placement: 'shared',
        contract: w.sample.v1(w.accounts.admin),
        members: [w.accounts.member],
      },
      w.admin,
    );
  }, 120_000);
  afterAll(() => w?.close());

  it('deploys behind its proxy, initialised, and is called by ABI name with its events decoded', async () => {
    expect(app).toMatchObject({ contract: { kind: 'package', version: 1 }, admin: w.accounts.admin.id, state: 'active' });
    expect(app.members).toEqual(expect.arrayContaining([w.accounts.admin.id, w.accounts.member.id]));
    expect(await w.reader.code(app.appId)).toMatch(/version\(\) = 1\)$/);
    const minted = await submit(w.sample.mint(w.accounts.member, 1000n), w.admin);
    const moved = await submit(w.sample.transfer(w.accounts.admin, 250n), w.member);
    expect(w.sample.transferOf(minted.events.find((e) => e.name === 'Transfer')!.payload)).toEqual({
      from: '0x' + '00'.repeat(20),
      to: w.accounts.member.id,
      value: 1000n,
    });
    expect(await balance(w.accounts.member)).toBe(750n);
    expect(await balance(w.accounts.admin)).toBe(250n);
    const streamed = await takeEvents(w.chain.adapter.gateway, { app, name: 'Transfer' }, 2, 10_000);
    expect(streamed.map((e) => e.txId)).toEqual([minted.txId, moved.txId]);
    // The token's own rule and BSN's: only the owner mints, only members write.
    expect((await refusal(submit(w.sample.mint(w.accounts.member, 5n), w.member))).message).toMatch(/NotTokenOwner/);
    expect((await refusal(submit(w.sample.transfer(w.accounts.outsider, 0n), w.outsider))).code).toBe('UNAUTHORIZED');
    // A view is not a write; an unknown method or a bad argument is named.
    expect(await refusal(submit(w.sample.balance(w.accounts.admin), w.admin))).toMatchObject({ code: 'INVALID_INPUT', field: '/method' });
    expect(await refusal(submit({ method: 'mint', args: [w.accounts.member.id, '-1'] }, w.admin))).toMatchObject({ field: '/args/1' });
    expect(await balance(w.accounts.member)).toBe(750n);
  }, 60_000);

  it('runs a request id once: the same request answers the first receipt, other content is a conflict', async () => {
    const first = await submit(w.sample.transfer(w.accounts.admin, 1n), w.member, `once-${mode}`);
    const again = await submit(w.sample.transfer(w.accounts.admin, 1n), w.member, `once-${mode}`);
    expect(again.txId).toBe(first.txId);
    expect(await refusal(submit(w.sample.transfer(w.accounts.admin, 2n), w.member, `once-${mode}`))).toMatchObject({
      code: 'CONFLICT',
      field: '/requestId',
    });
    expect(await balance(w.accounts.member)).toBe(749n);
  }, 60_000);

  it('refuses a package for the other crypto mode, or shadowing the proxy, before anything is sent', async () => {
    const head = await w.chain.adapter.gateway.block('latest');
    const v2 = w.sample.v2() as Extract<ContractSource, { kind: 'package' }>;
    const otherMode = { ...v2, package: { ...v2.package, cryptoMode: mode === 'sm' ? 'standard' : 'sm' } } as ContractSource;
    expect(await refusal(w.chain.adapter.lifecycle.upgrade(app, otherMode, w.admin))).toMatchObject({
      code: 'INVALID_INPUT',
      field: '/contract/package/cryptoMode',
    });
    const bad = w.sample.badPackage();
    expect(await refusal(w.chain.adapter.lifecycle.upgrade(app, bad.contract, w.admin))).toMatchObject({ field: bad.field });
    expect((await w.chain.adapter.gateway.block('latest')).number, 'no transaction was sent').toBe(head.number);
  }, 60_000);

  it('keeps version 1 serving after a failed upgrade and every unauthorised one, through the adapter or not', async () => {
    const before = await w.reader.code(app.appId);
    expect((await refusal(w.chain.adapter.lifecycle.upgrade(app, w.sample.failingV2(), w.admin))).message).toMatch(/EmptySymbol/);
    for (const who of [w.member, w.outsider])
      expect((await refusal(w.chain.adapter.lifecycle.upgrade(app, w.sample.v2(), who))).code).toBe('UNAUTHORIZED');
    // An outsider's own transactions: the registry's upgrade, and the proxy's registry-only upgradeTo.
    const registry = new ChainAbi(cryptoSuite(mode), customAppsInterface);
    const customApps = String(w.chain.network.customApps);
    const viaRegistry = await w.raw.signAndSend(
      customApps,
      registry.encode('upgrade', [app.appId, app.location['implementation'], '0x']),
      w.outsider,
      'attack',
      Date.now() + 10_000,
    );
    expect(viaRegistry.status).toBe(16);
    expect(registry.decodeRevert(Uint8Array.from(Buffer.from(viaRegistry.output.slice(2), 'hex')))?.name).toBe('NotAdmin');
    const proxyAbi = new ChainAbi(cryptoSuite(mode), new (await import('ethers')).Interface(['function upgradeTo(address,bytes)']));
    const direct = await w.raw.signAndSend(
      String(app.location['address']),
      proxyAbi.encode('upgradeTo', [customApps, '0x']),
      w.outsider,
      'attack',
      Date.now() + 10_000,
    );
    expect(direct.status).not.toBe(0);
    expect(await w.reader.code(app.appId), 'the chain serves the same code').toBe(before);
    expect((await w.chain.adapter.lifecycle.get(app)).contract).toEqual({ kind: 'package', version: 1 });
    expect(await balance(w.accounts.member)).toBe(749n);
  }, 60_000);

  it('upgrades by the admin to version 2 on the same state, burn callable', async () => {
    const before = await w.reader.code(app.appId);
    const upgraded = await w.chain.adapter.lifecycle.upgrade(app, w.sample.v2(), w.admin);
    expect(upgraded.contract).toEqual({ kind: 'package', version: 2 });
    expect(await w.reader.code(app.appId)).not.toBe(before);
    expect(await w.reader.code(app.appId)).toMatch(/version\(\) = 2\)$/);
    expect(await balance(w.accounts.member)).toBe(749n);
    const burnt = await submit(w.sample.burn(49n), w.member);
    expect(w.sample.transferOf(burnt.events.find((e) => e.name === 'Transfer')!.payload).value).toBe(49n);
    expect(await balance(w.accounts.member)).toBe(700n);
    // Events of both versions stay decoded.
    const all = await takeEvents(w.chain.adapter.gateway, { app, name: 'Transfer' }, 4, 10_000);
    expect(all.at(-1)!.txId).toBe(burnt.txId);
  }, 60_000);
});
