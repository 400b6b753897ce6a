import { getAddress } from 'ethers';
import { InvalidInputError, readNetworkConfig, type NetworkConfig } from '@bsn/contract';

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

/** The schema this plugin ships (`configSchema` in its manifest), beside `src/` and `dist/`. */
const SCHEMA = new URL('../network-config.schema.json', import.meta.url);

/** An address as EIP-55 spells it; a mixed-case address whose checksum fails is refused (a schema cannot compute keccak). */
function checksummed(address: string | undefined, field: string): string | undefined {
  if (address === undefined) return undefined;
  try {
    return getAddress(address);
  } catch {
    throw new InvalidInputError(`network config ${field}: ${address} fails its EIP-55 checksum (mixed case must be the checksum)`, {
      field,
    });
  }
}

/**
 * Checks a NetworkConfig against the shipped schema (InvalidInputError naming the field) and
 * fills in defaults; what the schema cannot say (address checksums) is checked here.
 */
export function resolveConfig(network: NetworkConfig): ResolvedConfig {
  const c = readNetworkConfig<EthereumNetworkConfig>(network, SCHEMA);
  const registry = checksummed(c.registry, '/registry');
  const outbox = checksummed(c.outbox, '/outbox');
  return {
    name: c.name,
    rpcUrl: c.rpcUrl,
    chainId: c.chainId,
    confirmations: c.confirmations,
    ...(c.faucet && { faucet: { privateKey: c.faucet.privateKey, amountWei: BigInt(c.faucet.amountWei ?? DEFAULTS.faucetAmountWei) } }),
    ...(registry && { registry }),
    ...(outbox && { outbox }),
    pollingIntervalMs: c.pollingIntervalMs ?? DEFAULTS.pollingIntervalMs,
    requestTimeoutMs: c.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
    submitTimeoutMs: c.submitTimeoutMs ?? DEFAULTS.submitTimeoutMs,
    preparedTtlMs: c.preparedTtlMs ?? DEFAULTS.preparedTtlMs,
    logRangeBlocks: c.logRangeBlocks ?? DEFAULTS.logRangeBlocks,
  };
}
