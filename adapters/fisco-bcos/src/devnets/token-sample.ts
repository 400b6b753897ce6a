/**
 * The kit's sample token on FISCO BCOS (samples/token), as the conformance suite deploys, calls
 * and upgrades it — built for the target's crypto mode (token-sample-build.ts) — and read back
 * on the chain by bare JSON-RPC `call`s, none of the adapter's code.
 */
import { createHash } from 'node:crypto';
import { AbiCoder } from 'ethers';
import { keccak_256 } from '@noble/hashes/sha3.js';
import type { ChainAccount, FiscoBcosPackage, NetworkConfig, TokenChainReader, TokenSample } from '@bsn/contract';
import { jsonRpc } from '@bsn/devnets';
import { compileSample } from './token-sample-build.js';

type Mode = FiscoBcosPackage['cryptoMode'];
const coder = AbiCoder.defaultAbiCoder();
const decoder = new TextDecoder();

function modeOf(network: NetworkConfig | undefined): Mode {
  const crypto = (network as { crypto?: unknown } | undefined)?.crypto;
  if (crypto !== 'standard' && crypto !== 'sm')
    throw new Error(
      "the FISCO BCOS sample token is built for a chain's crypto mode: pass the target's network config (crypto: standard | sm)",
    );
  return crypto;
}

/** Selector of `signature` under the chain's hash (Keccak-256, or SM3 on an SM chain). */
function selector(mode: Mode, signature: string): string {
  const hash = mode === 'sm' ? createHash('sm3').update(signature).digest() : Buffer.from(keccak_256(Buffer.from(signature)));
  return '0x' + hash.subarray(0, 4).toString('hex');
}

function reader(network: NetworkConfig): TokenChainReader {
  const mode = modeOf(network);
  const rpcUrl = String((network as { rpcUrl?: unknown }).rpcUrl);
  const group = String((network as { groupId?: unknown }).groupId ?? 'group0');
  const customApps = String((network as { customApps?: unknown }).customApps);
  const call = async (to: string, signature: string, types: string[], args: unknown[], outputs: string[]) => {
    const data = selector(mode, signature) + coder.encode(types, args).slice(2);
    const r = await jsonRpc<{ status: number; output: string }>(rpcUrl, 'call', [group, '', to, data]);
    if (r.status !== 0) throw new Error(`${signature} on ${to} failed with status ${r.status} (${r.output})`);
    return coder.decode(outputs, r.output);
  };
  /** The app's proxy and implementation as the chain's BsnCustomApps records them; undefined when it holds no such app. */
  const appOf = async (appId: string) => {
    const out = await call(
      customApps,
      'appInfo(string)',
      ['string'],
      [appId],
      ['address', 'address', 'bytes', 'bool', 'uint64', 'uint8', 'uint64', 'address'],
    );
    return BigInt(out[0] as string) === 0n
      ? undefined
      : { proxy: String(out[0]).toLowerCase(), implementation: String(out[7]).toLowerCase() };
  };
  return {
    source: `FISCO BCOS JSON-RPC ${rpcUrl} (${group}, ${mode} crypto)`,
    async balance(app, account) {
      const found = await appOf(app.appId);
      if (!found) throw new Error(`the chain's custom-app registry holds no app ${app.appId}`);
      return (await call(found.proxy, 'balanceOf(address)', ['address'], [account.id], ['uint256']))[0] as bigint;
    },
    async code(appId) {
      const found = await appOf(appId);
      if (!found) return undefined;
      // The registry's record, and what the proxy itself answers: the version its code says it is.
      const [version] = await call(found.proxy, 'version()', [], [], ['uint256']);
      return `${found.proxy} → ${found.implementation} (version() = ${String(version)})`;
    },
  };
}

const built = new Map<Mode, { v1: FiscoBcosPackage; v2: FiscoBcosPackage }>();

/** The sample for the target's crypto mode, compiled once per mode and process. */
export async function fiscoTokenSample(network?: NetworkConfig): Promise<TokenSample> {
  const mode = modeOf(network);
  let packages = built.get(mode);
  if (!packages) {
    packages = { v1: compileSample('SampleToken', mode), v2: compileSample('SampleTokenV2', mode) };
    built.set(mode, packages);
  }
  const { v1, v2 } = packages;
  // Version 2's ABI on version 1's code: the first function version 1 lacks is what the kit's
  // ABI-against-code check names (initializeV2, before burn).
  const missing = v2.abi.findIndex((e) => e.type === 'function' && !v1.abi.some((f) => f.type === 'function' && f.name === e.name));
  const json = (result: Uint8Array) => JSON.parse(decoder.decode(result)) as unknown;
  const id = (a: ChainAccount) => a.id.toLowerCase();
  return {
    v1: (owner) => ({ kind: 'package', package: v1, call: { method: 'initialize', args: [id(owner)] } }),
    v2: () => ({ kind: 'package', package: v2, call: { method: 'initializeV2', args: ['SMP'] } }),
    // An empty symbol makes the migration revert (EmptySymbol), and so the whole upgrade.
    failingV2: () => ({ kind: 'package', package: v2, call: { method: 'initializeV2', args: [''] } }),
    badPackage: () => ({ contract: { kind: 'package', package: { ...v1, abi: v2.abi } }, field: `/contract/package/abi/${missing}` }),
    mint: (to, amount) => ({ method: 'mint', args: [id(to), String(amount)] }),
    transfer: (to, amount) => ({ method: 'transfer', args: [id(to), String(amount)] }),
    burn: (amount) => ({ method: 'burn', args: [String(amount)] }),
    balance: (who) => ({ method: 'balanceOf', args: [id(who)] }),
    balanceOf: (result) => BigInt(String((json(result) as unknown[])[0])),
    transferEvent: 'Transfer',
    transferOf(payload) {
      const e = json(payload) as { from: string; to: string; value: string };
      return { from: e.from, to: e.to, value: BigInt(e.value) };
    },
    reader,
  };
}
