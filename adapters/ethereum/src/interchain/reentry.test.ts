import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { ContractFactory, Interface, JsonRpcProvider, NonceManager, Wallet } from 'ethers';
import {
  attestInterchain,
  attesterPublicKey,
  encodePacketCall,
  generatePrivateKey,
  packetCommitment,
  packetId,
  privateKeySigner,
  toBase64,
  toHex,
  type ChainAccount,
} from '@bsn/contract';
import { unique } from '@bsn/contract/testing';
import { AnvilDevnet, actor, connect, type StartedDevnet } from '../__fixtures__/chains.js';
import type { EthereumAdapter } from '../adapter.js';
import { appInterface } from '../abi.js';
import { localKeySigner } from '../signer-bridge.js';
import { deliveryInterface, packetTuple } from './delivery-abi.js';

/**
 * An app admin may move the app to any code (`upgradeTo`). Code that, asked to run a packet's
 * call, calls `deliver` again with the same packet must find it delivered: the receipt is written
 * before the app is called. This app's code re-enters once and keeps what the inner call answered.
 */
const REENTERING_APP = `
// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;
contract ReenteringApp {
    bytes32 private constant IMPLEMENTATION_SLOT = 0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc;
    address private outbox;
    bytes private again;
    bool private entered;
    bool public innerOk;
    bytes public innerAnswer;
    function proxiableUUID() external pure returns (bytes32) { return IMPLEMENTATION_SLOT; }
    function arm(address outbox_, bytes calldata deliverCall) external { outbox = outbox_; again = deliverCall; }
    function isFrozen() external pure returns (bool) { return false; }
    function isMember(address) external pure returns (bool) { return true; }
    function interchain() external view returns (address) { return outbox; }
    function grantAllows(uint8, string calldata, string calldata, string calldata, string calldata, uint256) external pure returns (bool) { return true; }
    function packetEvent(string calldata, bytes calldata) external {}
    function packetCall(uint8, string calldata, bytes calldata) external returns (bytes32) {
        if (!entered) {
            entered = true;
            (innerOk, innerAnswer) = outbox.call(again);
        }
        return bytes32(0);
    }
}`;

function compile(): { abi: unknown[]; bytecode: string } {
  const solc = createRequire(import.meta.url)('solc') as { compile(input: string): string };
  const out = JSON.parse(
    solc.compile(
      JSON.stringify({
        language: 'Solidity',
        sources: { 'ReenteringApp.sol': { content: REENTERING_APP } },
        settings: { evmVersion: 'cancun', outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } } },
      }),
    ),
  ) as { contracts: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>> };
  const c = out.contracts['ReenteringApp.sol']!['ReenteringApp']!;
  return { abi: c.abi, bytecode: '0x' + c.evm.bytecode.object };
}

describe('delivery against an app whose code calls back (anvil)', () => {
  let devnet: StartedDevnet;
  let adapter: EthereumAdapter;
  let provider: JsonRpcProvider;

  beforeAll(async () => {
    devnet = await new AnvilDevnet().start();
    adapter = await connect(devnet);
    provider = new JsonRpcProvider(String(devnet.network.rpcUrl), undefined, { staticNetwork: true });
  }, 120_000);
  afterAll(async () => {
    provider?.destroy();
    await adapter?.close();
    await devnet?.stop();
  });

  it('a re-entering deliver of the same packet is refused as already delivered; the packet runs once', async () => {
    const chain = devnet.network.name;
    const faucet = (devnet.network as unknown as { faucet: { privateKey: string } }).faucet.privateKey;
    const keys = [0, 1, 2].map(() => generatePrivateKey('secp256k1'));
    await adapter.interchain.configureDelivery({ publicKeys: keys.map(attesterPublicKey), threshold: 2 }, localKeySigner(faucet));
    const source = await actor(adapter);
    const targetKey = randomBytes(32);
    const targetAdmin = privateKeySigner('secp256k1', targetKey);
    await adapter.identity.provision(targetAdmin);
    const spec = (appId: string) =>
      ({
        appId,
        name: 'reentry',
        framework: 'ethereum',
        mode: 'consortium',
        placement: 'shared',
        contract: { kind: 'preset-kv' },
        members: [] as ChainAccount[],
      }) as const;
    const a = await adapter.lifecycle.create(spec(unique('src')), source.signer);
    const b = await adapter.lifecycle.create(spec(unique('evil')), targetAdmin);
    const ref = unique('grant');
    const g = { peerChain: chain, ref, methods: ['kv.put'], expiresAt: 0, revoked: false };
    await adapter.interchain.setGrant(a, { ...g, direction: 'outgoing', peerApp: b.appId }, source.signer);
    const { packet } = await adapter.interchain.emit(
      a,
      {
        dstChain: chain,
        dstApp: b.appId,
        method: 'kv.put',
        payload: toBase64(encodePacketCall({ method: 'kv.put', key: 'k', value: new Uint8Array([1]) })),
        timeout: Date.now() + 3_600_000,
        grantRef: ref,
      },
      source.signer,
    );
    const signatures = keys.slice(0, 2).map((k) => '0x' + attestInterchain('packet', packetCommitment(packet), k).signature);
    const outbox = (await adapter.interchain.trustRoots([{ algorithm: 'secp256k1', publicKey: attesterPublicKey(keys[0]!) }], 1)).roots
      .outbox as string;

    // the target's admin moves the app to code that calls deliver again from inside the call
    const wallet = new NonceManager(new Wallet(toHex(targetKey), provider));
    const { abi, bytecode } = compile();
    const impl = await (await new ContractFactory(abi as never, bytecode, wallet).deploy()).waitForDeployment();
    const app = b.location.address!;
    await (await wallet.sendTransaction({ to: app, data: appInterface.encodeFunctionData('upgradeTo', [await impl.getAddress()]) })).wait();
    const evil = new Interface(abi as never);
    const again = deliveryInterface.encodeFunctionData('deliver', [packetTuple(packet), signatures, '0x']);
    await (await wallet.sendTransaction({ to: app, data: evil.encodeFunctionData('arm', [outbox, again]) })).wait();

    const { ack } = await adapter.interchain.deliver(
      packet,
      keys.slice(0, 2).map((k) => attestInterchain('packet', packetCommitment(packet), k)),
      source.signer,
    );
    expect(ack.status).toBe('OK');
    const read = async (fn: string) =>
      evil.decodeFunctionResult(fn, await provider.call({ to: app, data: evil.encodeFunctionData(fn) }))[0];
    expect(await read('innerOk'), 'the re-entering deliver succeeded').toBe(false);
    const answer = deliveryInterface.parseError(String(await read('innerAnswer')));
    expect([answer?.name, answer?.args[0]]).toEqual(['Conflict', 'already delivered']);
    // one delivery recorded, one PacketDelivered log
    const logs = await provider.getLogs({
      address: outbox,
      topics: [deliveryInterface.getEvent('PacketDelivered')!.topicHash, '0x' + packetId(packet)],
      fromBlock: 0,
    });
    expect(logs).toHaveLength(1);
  }, 120_000);
});
