import { Interface, getAddress } from 'ethers';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  isBsnError,
  type AppInfo,
  type AppSpec,
  type ChainAccount,
  type ContractSource,
  type EvmBytecodePackage,
  type Signer,
} from '@bsn/contract';
import { takeEvents, text, unique } from '@bsn/contract/testing';
import { AnvilDevnet, actor, connect, rpc, type StartedDevnet } from '../__fixtures__/chains.js';
import type { EthereumAdapter } from '../adapter.js';
import type { AdapterParts } from '../parts.js';
import { compiledToken, tokenSources } from './__fixtures__/sample-token.js';
import { customAppsInterface, customProxyInterface, deterministicCustomAppsAddress } from './contracts.js';

const IMPLEMENTATION_SLOT = '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc';
const ZERO = '0x0000000000000000000000000000000000000000';

let devnet: StartedDevnet;
let adapter: EthereumAdapter;
let owner: { signer: Signer; account: ChainAccount };
let bob: { signer: Signer; account: ChainAccount };
let outsider: { signer: Signer; account: ChainAccount };
let v1: EvmBytecodePackage;
let token: Interface;
let tokenV2: Interface;

beforeAll(async () => {
  devnet = await new AnvilDevnet().start();
  adapter = await connect(devnet);
  [owner, bob, outsider] = await Promise.all([actor(adapter), actor(adapter), actor(adapter)]);
  v1 = compiledToken('SampleToken');
  token = new Interface(v1.abi as never);
  tokenV2 = new Interface(compiledToken('SampleTokenV2').abi as never);
}, 60_000);
afterAll(async () => {
  await adapter?.close();
  await devnet?.stop();
});

async function failure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isBsnError(error)) throw new Error(`expected a typed error, got ${String(error)}`);
  return error;
}

/** Reads the chain itself: eth_call against the node, decoded with the token's ABI. */
async function onChain(address: string, fn: string, args: unknown[] = [], abi = token): Promise<unknown> {
  const out = await rpc<string>(devnet, 'eth_call', [{ to: address, data: abi.encodeFunctionData(fn, args) }, 'latest']);
  const [value] = abi.decodeFunctionResult(fn, out);
  return typeof value === 'bigint' ? value.toString() : value;
}
const implementationOf = async (address: string) =>
  getAddress('0x' + (await rpc<string>(devnet, 'eth_getStorageAt', [address, IMPLEMENTATION_SLOT, 'latest'])).slice(-40));
/** What BsnCustomApps itself says of an app (zero proxy: no such app). */
async function registryRecord(appId: string): Promise<{ proxy: string; version: bigint }> {
  const registry = deterministicCustomAppsAddress(Number(await rpc<string>(devnet, 'eth_chainId')));
  if ((await rpc<string>(devnet, 'eth_getCode', [registry, 'latest'])) === '0x') return { proxy: ZERO, version: 0n };
  const out = await rpc<string>(devnet, 'eth_call', [
    { to: registry, data: customAppsInterface.encodeFunctionData('appInfo', [appId]) },
    'latest',
  ]);
  const r = customAppsInterface.decodeFunctionResult('appInfo', out);
  return { proxy: String(r[0]), version: r[4] as bigint };
}

const tokenSpec = (contract: ContractSource, appId = unique('token')): AppSpec => ({
  appId,
  name: 'sample token',
  framework: 'ethereum',
  mode: 'consortium',
  placement: 'shared',
  contract,
  members: [bob.account],
});
const v1Contract = (): ContractSource => ({
  kind: 'package',
  package: v1,
  call: { method: 'initialize', args: [owner.account.id, 'Sample'] },
});

const submit = (app: AppInfo, who: { signer: Signer }, method: string, args: string[], requestId = unique('req')) =>
  adapter.gateway.submit({ app, method, args, requestId }, who.signer);
const evaluate = async (app: AppInfo, method: string, args: string[] = []) =>
  JSON.parse(text((await adapter.gateway.evaluate({ app, method, args })).result)) as unknown[];

describe('the sample token as an app of its own contract', () => {
  let app: AppInfo;

  test('created behind its proxy, initialised in the same transaction', async () => {
    app = await adapter.lifecycle.create(tokenSpec(v1Contract()), owner.signer);
    expect(app).toMatchObject({ contract: { kind: 'package', version: 1 }, admin: owner.account.id, state: 'active' });
    expect(app.members).toEqual([owner.account.id, bob.account.id]);
    expect(await adapter.lifecycle.get(app)).toEqual(app);
    // On the chain: the proxy delegates to the implementation the registry names, and initialize ran against the proxy's storage.
    expect(await implementationOf(app.location.address!)).toBe(app.location.implementation);
    expect(await onChain(app.location.address!, 'owner')).toBe(owner.account.id);
    expect(await onChain(app.location.address!, 'name')).toBe('Sample');
    expect(await onChain(app.location.implementation!, 'owner')).toBe(ZERO);
    expect((await registryRecord(app.appId)).proxy).toBe(app.location.address);
  });

  test('minted and transferred by ABI method name; balances read through the gateway and on the chain', async () => {
    const minted = await submit(app, owner, 'mint', [bob.account.id, '1000']);
    expect(minted.events.map((e) => [e.name, JSON.parse(text(e.payload))])).toEqual([
      ['Transfer', { from: ZERO, to: bob.account.id, value: '1000' }],
    ]);
    const sent = await submit(app, bob, 'transfer', [owner.account.id, '250']);
    expect(JSON.parse(text(sent.events[0]!.payload))).toEqual({ from: bob.account.id, to: owner.account.id, value: '250' });
    expect(await onChain(app.location.address!, 'balanceOf', [bob.account.id])).toBe('750');
    expect(await onChain(app.location.address!, 'balanceOf', [owner.account.id])).toBe('250');
    expect(await evaluate(app, 'balanceOf', [bob.account.id])).toEqual(['750']);
    expect(await evaluate(app, 'totalSupply')).toEqual(['1000']);
    // The look-up names the app and the ABI method, with the events decoded (GW-002's rule for app writes).
    const looked = await adapter.gateway.transaction(sent.txId);
    expect([looked.app, looked.method, looked.valid, looked.block]).toEqual([app.appId, 'transfer', true, sent.block]);
    expect(looked.events).toEqual(sent.events);
    // The receipt's block holds the transaction, by the node's own account.
    const tx = await rpc<{ blockHash: string; to: string }>(devnet, 'eth_getTransactionByHash', [sent.txId]);
    expect([tx.blockHash, getAddress(tx.to)]).toEqual([sent.block.hash, app.location.address]);
  });

  test('events streamed in chain order, decoded by the ABI, the same logs the node holds', async () => {
    const events = await takeEvents(adapter.gateway, { app }, 2);
    expect(events.map((e) => JSON.parse(text(e.payload)).value)).toEqual(['1000', '250']);
    const logs = await rpc<Array<{ transactionHash: string; logIndex: string }>>(devnet, 'eth_getLogs', [
      { address: app.location.address, topics: [token.getEvent('Transfer')!.topicHash], fromBlock: '0x0', toBlock: 'latest' },
    ]);
    expect(events.map((e) => e.txId)).toEqual(logs.map((l) => l.transactionHash));
    const resumed = await takeEvents(adapter.gateway, { app, after: events[0]!.checkpoint }, 1);
    expect(resumed[0]!.txId).toBe(events[1]!.txId);
    expect(await takeEvents(adapter.gateway, { app, name: 'Approval' }, 1, 300)).toEqual([]);
  });

  test('a request id runs once: again returns the first receipt, with other content is a CONFLICT; nothing moves', async () => {
    const requestId = unique('req');
    const first = await submit(app, bob, 'transfer', [owner.account.id, '5'], requestId);
    const again = await submit(app, bob, 'transfer', [owner.account.id, '5'], requestId);
    expect(again.txId).toBe(first.txId);
    const conflict = await failure(submit(app, bob, 'transfer', [owner.account.id, '6'], requestId));
    expect([conflict.code, conflict.field]).toEqual(['CONFLICT', '/requestId']);
    expect(await onChain(app.location.address!, 'balanceOf', [bob.account.id])).toBe('745');
  });

  test('user-key mode: prepared by the client, signed by its own key, submitted once; a forged signature writes nothing', async () => {
    const request = { app, method: 'transfer', args: [owner.account.id, '5'], requestId: unique('req') };
    const prepared = await adapter.gateway.prepare(request, { publicKey: bob.signer.publicKey, algorithm: 'secp256k1' });
    const forged = await outsider.signer.signDigest(Buffer.from(prepared.digest.slice(2), 'hex'));
    expect((await failure(adapter.gateway.submitPrepared(prepared, forged))).code).toBe('UNAUTHORIZED');
    expect(await onChain(app.location.address!, 'balanceOf', [bob.account.id])).toBe('745');
    const tampered = { ...prepared, request: { ...prepared.request, args: [owner.account.id, '6'] } };
    const good = await bob.signer.signDigest(Buffer.from(prepared.digest.slice(2), 'hex'));
    expect((await failure(adapter.gateway.submitPrepared(tampered, good))).code).toBe('INVALID_INPUT');
    const receipt = await adapter.gateway.submitPrepared(prepared, good);
    expect(await onChain(app.location.address!, 'balanceOf', [bob.account.id])).toBe('740');
    expect((await adapter.gateway.submitPrepared(prepared, good)).txId).toBe(receipt.txId);
    const tx = await rpc<{ from: string }>(devnet, 'eth_getTransactionByHash', [receipt.txId]);
    expect(getAddress(tx.from)).toBe(bob.account.id);
    // Back to the balances the later tests expect.
    await submit(app, owner, 'transfer', [bob.account.id, '5']);
  });

  test("refusals: a non-member's write, the token's own rule, a frozen app, bad arguments — typed, nothing changed on chain", async () => {
    const block = await rpc<string>(devnet, 'eth_blockNumber');
    const stranger = await failure(submit(app, outsider, 'transfer', [owner.account.id, '1']));
    expect(stranger.code).toBe('UNAUTHORIZED');
    const notOwner = await failure(submit(app, bob, 'mint', [bob.account.id, '1']));
    expect([notOwner.code, (notOwner.detail?.data as { revert?: { name: string } }).revert?.name]).toEqual([
      'REJECTED_BY_CHAIN',
      'NotTokenOwner',
    ]);
    const cases: Array<[string, string[], string]> = [
      ['transfer', [owner.account.id], '/args'],
      ['transfer', ['0x12', '1'], '/args/0'],
      ['transfer', [owner.account.id, '-1'], '/args/1'],
      ['transfer', [owner.account.id, 'ten'], '/args/1'],
      ['burn', ['1'], '/method'],
      ['balanceOf', [owner.account.id], '/method'],
    ];
    for (const [method, args, field] of cases) {
      const e = await failure(submit(app, bob, method, args));
      expect([method, e.code, e.field]).toEqual([method, 'INVALID_INPUT', field]);
    }
    expect(await rpc<string>(devnet, 'eth_blockNumber')).toBe(block);
    // Anyone reads; reads by a non-member run read-only.
    expect(await adapter.gateway.evaluate({ app, method: 'balanceOf', args: [bob.account.id] }, outsider.signer)).toBeTruthy();
    expect((await adapter.lifecycle.freeze(app, owner.signer)).state).toBe('frozen');
    expect((await failure(submit(app, bob, 'transfer', [owner.account.id, '1']))).code).toBe('UNAUTHORIZED');
    expect(await evaluate(app, 'balanceOf', [bob.account.id])).toEqual(['745']);
    expect((await adapter.lifecycle.unfreeze(app, owner.signer)).state).toBe('active');
    expect(await onChain(app.location.address!, 'balanceOf', [bob.account.id])).toBe('745');
  });

  test('an upgrade by a non-owner, and one whose migration fails, leave version 1 serving', async () => {
    const v2 = (symbol: string): ContractSource => ({
      kind: 'package',
      package: tokenSources('SampleTokenV2'),
      call: { method: 'initializeV2', args: [symbol] },
    });
    const byBob = await failure(adapter.lifecycle.upgrade(app, v2('SMP'), bob.signer));
    expect(byBob.code).toBe('UNAUTHORIZED');
    const failing = await failure(adapter.lifecycle.upgrade(app, v2(''), owner.signer));
    expect([failing.code, (failing.detail?.data as { revert?: { name: string } }).revert?.name]).toEqual([
      'REJECTED_BY_CHAIN',
      'EmptySymbol',
    ]);
    expect(await implementationOf(app.location.address!)).toBe(app.location.implementation);
    expect(await onChain(app.location.address!, 'version')).toBe('1');
    expect((await registryRecord(app.appId)).version).toBe(1n);
    expect((await adapter.lifecycle.get(app)).contract.version).toBe(1);
  });

  test('the chain itself refuses: a non-admin upgrade and a non-member write sent past the adapter (fixed gas, no estimate) revert on chain', async () => {
    const { sender } = (adapter as unknown as { parts: AdapterParts }).parts;
    const registry = deterministicCustomAppsAddress(Number(await rpc<string>(devnet, 'eth_chainId')));
    const v2 = compiledToken('SampleTokenV2');
    const upgrade = customAppsInterface.encodeFunctionData('upgrade', [app.appId, [v2.bytecode, '0x', '0x']]);
    const forced = { gasLimit: 3_000_000n, what: 'an attack' };
    const byBob = await failure(sender.send({ to: registry, data: upgrade, ...forced }, bob.signer, { wait: 'final' }));
    expect([byBob.code, byBob.stage, byBob.detail?.message]).toEqual([
      'UNAUTHORIZED',
      'commit',
      `execution reverted: NotAdmin(account=${bob.account.id})`,
    ]);
    const receipt = await rpc<{ status: string }>(devnet, 'eth_getTransactionReceipt', [byBob.txId]);
    expect(receipt.status).toBe('0x0');
    expect(await implementationOf(app.location.address!)).toBe(app.location.implementation);
    // A zero transfer would succeed for anyone: only the proxy's rule stops a non-member's write.
    const steal = token.encodeFunctionData('transfer', [outsider.account.id, 0n]);
    const stranger = await failure(sender.send({ to: app.location.address!, data: steal, ...forced }, outsider.signer, { wait: 'final' }));
    expect([stranger.code, stranger.stage]).toEqual(['REJECTED_BY_CHAIN', 'commit']);
    expect((await rpc<{ status: string }>(devnet, 'eth_getTransactionReceipt', [stranger.txId])).status).toBe('0x0');
    const revertData = (stranger.detail?.data as { revertData: string }).revertData;
    expect(customProxyInterface.parseError(revertData)?.name).toBe('NotWriter');
    const reinit = token.encodeFunctionData('initialize', [outsider.account.id, 'mine']);
    await failure(sender.send({ to: app.location.address!, data: reinit, ...forced }, bob.signer, { wait: 'final' }));
    expect(await onChain(app.location.address!, 'owner')).toBe(owner.account.id);
    expect(await onChain(app.location.address!, 'balanceOf', [outsider.account.id])).toBe('0');
    expect(await onChain(app.location.address!, 'balanceOf', [bob.account.id])).toBe('745');
  });

  test('upgraded to version 2 (Solidity compiled on request): balances intact, the new method callable, events decoded', async () => {
    const upgraded = await adapter.lifecycle.upgrade(
      app,
      { kind: 'package', package: tokenSources('SampleTokenV2'), call: { method: 'initializeV2', args: ['SMP'] } },
      owner.signer,
    );
    expect(upgraded.contract).toEqual({ kind: 'package', version: 2 });
    expect(upgraded.location.address).toBe(app.location.address);
    expect(upgraded.location.implementation).not.toBe(app.location.implementation);
    const proxy = app.location.address!;
    expect(await implementationOf(proxy)).toBe(upgraded.location.implementation);
    expect(await onChain(proxy, 'version', [], tokenV2)).toBe('2');
    expect(await onChain(proxy, 'balanceOf', [bob.account.id], tokenV2)).toBe('745');
    expect(await onChain(proxy, 'owner', [], tokenV2)).toBe(owner.account.id);
    expect(await onChain(proxy, 'symbol', [], tokenV2)).toBe('SMP');
    const burnt = await submit(upgraded, bob, 'burn', ['45']);
    expect(JSON.parse(text(burnt.events[0]!.payload))).toEqual({ from: bob.account.id, to: ZERO, value: '45' });
    expect(await onChain(proxy, 'balanceOf', [bob.account.id], tokenV2)).toBe('700');
    expect(await onChain(proxy, 'totalSupply', [], tokenV2)).toBe('955');
    expect(await evaluate(upgraded, 'symbol')).toEqual(['SMP']);
    const events = await takeEvents(adapter.gateway, { app, name: 'Transfer' }, 6);
    // mint, transfer, the request-id test's, the user-key test's and its return, burn
    expect(events.map((e) => JSON.parse(text(e.payload)).value)).toEqual(['1000', '250', '5', '5', '5', '45']);
    // The migration's own event, logged in the upgrade before the registry published version 2.
    const migrated = await takeEvents(adapter.gateway, { app, after: events[4]!.checkpoint }, 2);
    expect(migrated.map((e) => e.name)).toEqual(['SymbolSet', 'Transfer']);
    expect(JSON.parse(text(migrated[0]!.payload))).toEqual({ symbol: 'SMP' });
  });
});

describe('packages refused before anything touches the chain', () => {
  test('a malformed package, an ABI the code does not dispatch, a compile error, constructor arguments: INVALID_INPUT naming the field; no app, no transaction', async () => {
    const nonce = await rpc<string>(devnet, 'eth_getTransactionCount', [owner.account.id, 'latest']);
    const v2abi = compiledToken('SampleTokenV2').abi;
    const burnAt = v2abi.findIndex((e) => e.name === 'burn');
    const broken = { ...tokenSources('SampleToken'), sources: { 'SampleToken.sol': 'contract SampleToken { function f( }' } };
    const withCtor = {
      ...v1,
      abi: [...v1.abi, { type: 'constructor', inputs: [{ name: 'x', type: 'uint256' }], stateMutability: 'nonpayable' }],
    };
    const cases: Array<[ContractSource, string]> = [
      [{ kind: 'package', package: { ...v1, bytecode: '0xzz' } }, '/contract/package/bytecode'],
      [{ kind: 'package', package: { ...v1, abi: v2abi } }, `/contract/package/abi/${burnAt}`],
      [{ kind: 'package', package: broken as never }, '/contract/package/sources/SampleToken.sol'],
      [{ kind: 'package', package: withCtor as never }, `/contract/package/abi/${withCtor.abi.length - 1}`],
      [{ kind: 'package', package: v1, call: { method: 'initialise', args: [] } }, '/contract/call/method'],
      [{ kind: 'package', package: v1, call: { method: 'initialize', args: ['not an address', 'x'] } }, '/contract/call/args/0'],
      [
        { kind: 'package', package: { format: 'eos-wasm', wasm: 'AGFzbQEAAAA=', abi: { version: 'eosio::abi/1.2' } } },
        '/contract/package/format',
      ],
    ];
    for (const [contract, field] of cases) {
      const spec = tokenSpec(contract);
      const e = await failure(adapter.lifecycle.create(spec, owner.signer));
      expect([field, e.code, e.field]).toEqual([field, 'INVALID_INPUT', field]);
      expect((await registryRecord(spec.appId)).proxy).toBe(ZERO);
    }
    expect(await rpc<string>(devnet, 'eth_getTransactionCount', [owner.account.id, 'latest'])).toBe(nonce);
  });

  test('an initializer that reverts creates no app; ids are unique across preset and custom apps', async () => {
    const spec = tokenSpec({ kind: 'package', package: v1, call: { method: 'mint', args: [owner.account.id, '1'] } });
    const e = await failure(adapter.lifecycle.create(spec, owner.signer));
    expect([e.code, (e.detail?.data as { revert?: { name: string } }).revert?.name]).toEqual(['REJECTED_BY_CHAIN', 'NotTokenOwner']);
    expect((await registryRecord(spec.appId)).proxy).toBe(ZERO);
    expect((await failure(adapter.lifecycle.get(spec))).code).toBe('NOT_FOUND');
    const custom = await adapter.lifecycle.create(tokenSpec(v1Contract()), owner.signer);
    const presetSameId = await failure(
      adapter.lifecycle.create({ ...tokenSpec({ kind: 'preset-kv' }), appId: custom.appId }, owner.signer),
    );
    expect([presetSameId.code, presetSameId.field]).toEqual(['CONFLICT', '/appId']);
    const preset = await adapter.lifecycle.create(tokenSpec({ kind: 'preset-kv' }), owner.signer);
    expect((await failure(adapter.lifecycle.create({ ...tokenSpec(v1Contract()), appId: preset.appId }, owner.signer))).code).toBe(
      'CONFLICT',
    );
    const toPackage = await failure(adapter.lifecycle.upgrade(preset, v1Contract(), owner.signer));
    expect([toPackage.code, toPackage.field]).toEqual(['INVALID_INPUT', '/contract/kind']);
  });
});
