/**
 * The kit's sample token on Ethereum (samples/token), as the conformance suite deploys, calls and
 * upgrades it: compiled here by solc from npm (a dev dependency, like the devnets themselves),
 * never shipped as bytecode; read back on the chain by raw JSON-RPC.
 */
import { readFileSync } from 'node:fs';
import { Interface, getAddress } from 'ethers';
import type { ChainAccount, EvmBytecodePackage, NetworkConfig, TokenChainReader, TokenSample } from '@bsn/contract';
import { jsonRpc } from '@bsn/devnets';
import { deterministicCustomAppsAddress } from '../custom-contract/contracts.js';
import { compileSolidity } from '../custom-contract/solidity.js';

const SAMPLES = new URL('../../samples/token/', import.meta.url);
/** ERC-1967's implementation slot, which the app's proxy keeps. */
const IMPLEMENTATION_SLOT = '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc';
// Only what the reader asks of the chain, written here rather than taken from the adapter's artifacts.
const registry = new Interface([
  'function appInfo(string appId) view returns (address proxy, address admin, address[] members, bool frozen, uint64 version, uint8 mode, uint8 placement, uint64 createdBlock, address implementation)',
]);
const token = new Interface(['function balanceOf(address) view returns (uint256)']);
const decoder = new TextDecoder();

function compiled(contract: 'SampleToken' | 'SampleTokenV2'): EvmBytecodePackage {
  const source = (file: string) => readFileSync(new URL(file, SAMPLES), 'utf8');
  return compileSolidity({
    format: 'solidity',
    sources: {
      'SampleToken.sol': source('SampleToken.sol'),
      ...(contract === 'SampleTokenV2' && { 'SampleTokenV2.sol': source('SampleTokenV2.sol') }),
    },
    contract,
  });
}

function reader(network: NetworkConfig): TokenChainReader {
  const rpcUrl = String((network as { rpcUrl?: unknown }).rpcUrl);
  const call = (to: string, data: string) => jsonRpc<string>(rpcUrl, 'eth_call', [{ to, data }, 'latest']);
  /** The app's proxy as the chain's own registry names it; undefined when it holds no such app. */
  const proxyOf = async (appId: string): Promise<string | undefined> => {
    const at = deterministicCustomAppsAddress(Number(await jsonRpc<string>(rpcUrl, 'eth_chainId')));
    if ((await jsonRpc<string>(rpcUrl, 'eth_getCode', [at, 'latest'])) === '0x') return undefined;
    const [proxy] = registry.decodeFunctionResult('appInfo', await call(at, registry.encodeFunctionData('appInfo', [appId])));
    return BigInt(proxy as string) === 0n ? undefined : getAddress(proxy as string);
  };
  return {
    source: `eth JSON-RPC ${rpcUrl}`,
    async balance(app, account) {
      const proxy = await proxyOf(app.appId);
      if (!proxy) throw new Error(`the chain's custom-app registry holds no app ${app.appId}`);
      return token.decodeFunctionResult('balanceOf', await call(proxy, token.encodeFunctionData('balanceOf', [account.id])))[0] as bigint;
    },
    async code(appId) {
      const proxy = await proxyOf(appId);
      if (!proxy) return undefined;
      const slot = await jsonRpc<string>(rpcUrl, 'eth_getStorageAt', [proxy, IMPLEMENTATION_SLOT, 'latest']);
      return `${proxy} → ${getAddress('0x' + slot.slice(-40))}`;
    },
  };
}

/** Compiles the sample once per call (the suite asks once per run). */
export async function ethereumTokenSample(): Promise<TokenSample> {
  const v1 = compiled('SampleToken');
  const v2 = compiled('SampleTokenV2');
  // The ABI declares burn, which version 1's code cannot dispatch (the kit's ABI-against-code check).
  const burn = v2.abi.findIndex((e) => e.type === 'function' && e.name === 'burn');
  const json = (result: Uint8Array) => JSON.parse(decoder.decode(result)) as unknown;
  const account = (a: ChainAccount) => a.id;
  return {
    v1: (owner) => ({ kind: 'package', package: v1, call: { method: 'initialize', args: [owner.id, 'Sample'] } }),
    v2: () => ({ kind: 'package', package: v2, call: { method: 'initializeV2', args: ['SMP'] } }),
    // An empty symbol makes the migration revert (EmptySymbol), and so the whole upgrade.
    failingV2: () => ({ kind: 'package', package: v2, call: { method: 'initializeV2', args: [''] } }),
    badPackage: () => ({ contract: { kind: 'package', package: { ...v1, abi: v2.abi } }, field: `/contract/package/abi/${burn}` }),
    mint: (to, amount) => ({ method: 'mint', args: [account(to), String(amount)] }),
    transfer: (to, amount) => ({ method: 'transfer', args: [account(to), String(amount)] }),
    burn: (amount) => ({ method: 'burn', args: [String(amount)] }),
    balance: (who) => ({ method: 'balanceOf', args: [account(who)] }),
    balanceOf: (result) => BigInt(String((json(result) as unknown[])[0])),
    transferEvent: 'Transfer',
    transferOf(payload) {
      const e = json(payload) as { from: string; to: string; value: string };
      return { from: e.from, to: e.to, value: BigInt(e.value) };
    },
    reader,
  };
}
