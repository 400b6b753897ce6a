import { getAddress, isAddress, isHexString } from 'ethers';
import { InvalidInputError, type NetworkConfig } from '@bsn/contract';
import { FRAMEWORK } from './describe.js';

/**
 * The NetworkConfig this adapter accepts (JSON Schema: `network-config.schema.json`).
 * Everything beyond `framework`/`name` is Ethereum-specific.
 */
export interface EthereumNetworkConfig extends NetworkConfig {
  framework: 'ethereum';
  name: string;
  /** HTTP(S) JSON-RPC endpoint of one node. */
  rpcUrl: string;
  /** EIP-155 chain id; the adapter refuses a node reporting another one. */
  chainId: number;
  /** Blocks on top of the including block before a receipt counts as final (0: final once mined). */
  confirmations: number;
  /** Dev networks only: a funded key used to provision accounts and deploy the registry. */
  faucet?: { privateKey: string; amountWei?: string };
  /** Address of a deployed BsnAppRegistry. Required where there is no faucet. */
  registry?: string;
  /** Address of a deployed BsnPacketOutbox serving `registry` (interchain); default: the dev one (needs a faucet). */
  outbox?: string;
  /** How often new blocks are polled, ms (default 250). */
  pollingIntervalMs?: number;
  /** Deadline of one JSON-RPC request, ms (default 15000). */
  requestTimeoutMs?: number;
  /** Default deadline of a write from signing to finality, ms (default 120000). */
  submitTimeoutMs?: number;
  /** How long a prepared (user-key) transaction stays valid, ms (default 300000). */
  preparedTtlMs?: number;
  /** Widest block range asked of eth_getLogs at once (default 5000). */
  logRangeBlocks?: number;
}

export interface ResolvedConfig {
  name: string;
  rpcUrl: string;
  chainId: number;
  confirmations: number;
  faucet?: { privateKey: string; amountWei: bigint };
  registry?: string;
  outbox?: string;
  pollingIntervalMs: number;
  requestTimeoutMs: number;
  submitTimeoutMs: number;
  preparedTtlMs: number;
  logRangeBlocks: number;
}

export const DEFAULTS = {
  pollingIntervalMs: 250,
  requestTimeoutMs: 15_000,
  submitTimeoutMs: 120_000,
  preparedTtlMs: 300_000,
  logRangeBlocks: 5_000,
  /** 100 ether: plenty for thousands of maximal preset writes at dev-chain fees. */
  faucetAmountWei: 10n ** 20n,
} as const;

const KNOWN = new Set([
  'framework', 'name', 'rpcUrl', 'chainId', 'confirmations', 'faucet', 'registry', 'outbox', 'pollingIntervalMs',
  'requestTimeoutMs', 'submitTimeoutMs', 'preparedTtlMs', 'logRangeBlocks',
]);

function bad(field: string, message: string): never {
  throw new InvalidInputError(`network config: ${message}`, { field });
}

function intIn(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    bad(field, `${field.slice(1)} must be an integer in [${min}, ${max}]`);
  }
  return value;
}

/** Checks a NetworkConfig and fills in defaults. Throws InvalidInputError naming the field. */
export function resolveConfig(network: NetworkConfig): ResolvedConfig {
  if (typeof network !== 'object' || network === null) bad('', 'the network config must be an object');
  const c = network as Record<string, unknown>;
  if (c.framework !== FRAMEWORK) bad('/framework', `framework must be "${FRAMEWORK}", not ${JSON.stringify(c.framework)}`);
  if (typeof c.name !== 'string' || c.name.length === 0) bad('/name', 'name must be a non-empty string');
  for (const key of Object.keys(c)) if (!KNOWN.has(key)) bad(`/${key}`, `unknown property "${key}"`);
  if (typeof c.rpcUrl !== 'string') bad('/rpcUrl', 'rpcUrl must be an http(s) URL');
  let url: URL;
  try {
    url = new URL(c.rpcUrl);
  } catch {
    bad('/rpcUrl', 'rpcUrl must be an http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') bad('/rpcUrl', 'rpcUrl must use http or https');
  const chainId = intIn(c.chainId, '/chainId', 1, Number.MAX_SAFE_INTEGER);
  const confirmations = intIn(c.confirmations, '/confirmations', 0, 10_000);
  let faucet: ResolvedConfig['faucet'];
  if (c.faucet !== undefined) {
    const f = c.faucet as Record<string, unknown>;
    if (typeof f !== 'object' || f === null) bad('/faucet', 'faucet must be an object');
    if (typeof f.privateKey !== 'string' || !isHexString(f.privateKey, 32)) {
      bad('/faucet/privateKey', 'faucet.privateKey must be 0x-prefixed 32-byte hex');
    }
    let amountWei: bigint = DEFAULTS.faucetAmountWei;
    if (f.amountWei !== undefined) {
      if (typeof f.amountWei !== 'string' || !/^[1-9][0-9]{0,40}$/.test(f.amountWei)) {
        bad('/faucet/amountWei', 'faucet.amountWei must be a positive decimal string');
      }
      amountWei = BigInt(f.amountWei);
    }
    for (const key of Object.keys(f)) if (key !== 'privateKey' && key !== 'amountWei') bad(`/faucet/${key}`, `unknown property "${key}"`);
    faucet = { privateKey: f.privateKey, amountWei };
  }
  let registry: string | undefined;
  if (c.registry !== undefined) {
    if (typeof c.registry !== 'string' || !isAddress(c.registry)) bad('/registry', 'registry must be a 20-byte hex address');
    registry = getAddress(c.registry);
  }
  let outbox: string | undefined;
  if (c.outbox !== undefined) {
    if (typeof c.outbox !== 'string' || !isAddress(c.outbox)) bad('/outbox', 'outbox must be a 20-byte hex address');
    outbox = getAddress(c.outbox);
  }
  if (!registry && !faucet) {
    bad('/registry', 'a network without a faucet needs the address of its deployed BsnAppRegistry in "registry"');
  }
  const opt = (key: keyof typeof DEFAULTS, min: number, max: number) =>
    c[key] === undefined ? (DEFAULTS[key] as number) : intIn(c[key], `/${key}`, min, max);
  return {
    name: c.name,
    rpcUrl: c.rpcUrl,
    chainId,
    confirmations,
    ...(faucet && { faucet }),
    ...(registry && { registry }),
    ...(outbox && { outbox }),
    pollingIntervalMs: opt('pollingIntervalMs', 10, 600_000),
    requestTimeoutMs: opt('requestTimeoutMs', 100, 600_000),
    submitTimeoutMs: opt('submitTimeoutMs', 1_000, 86_400_000),
    preparedTtlMs: opt('preparedTtlMs', 1_000, 86_400_000),
    logRangeBlocks: opt('logRangeBlocks', 1, 1_000_000),
  };
}
