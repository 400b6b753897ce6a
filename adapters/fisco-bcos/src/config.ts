import { readNetworkConfig, type NetworkConfig } from '@bsn/contract';
import type { CryptoMode } from './protocol/crypto-suite.js';

/** The NetworkConfig this adapter accepts (JSON Schema: `network-config.schema.json`). */
export interface FiscoNetworkConfig extends NetworkConfig {
  framework: 'fisco-bcos';
  rpcUrl: string;
  crypto: CryptoMode;
  chainId?: string;
  groupId?: string;
  registry: string;
  customApps?: string;
  blockLimitWindow?: number;
  pollingIntervalMs?: number;
  requestTimeoutMs?: number;
  submitTimeoutMs?: number;
  preparedTtlMs?: number;
  logRangeBlocks?: number;
}

export interface ResolvedConfig {
  name: string;
  rpcUrl: string;
  crypto: CryptoMode;
  chainId: string;
  groupId: string;
  /** 0x-prefixed lowercase. */
  registry: string;
  /** BsnCustomApps, 0x-prefixed lowercase; absent: no apps that bring their own contract. */
  customApps?: string;
  blockLimitWindow: number;
  pollingIntervalMs: number;
  requestTimeoutMs: number;
  submitTimeoutMs: number;
  preparedTtlMs: number;
  logRangeBlocks: number;
}

export const DEFAULTS = {
  chainId: 'chain0',
  groupId: 'group0',
  blockLimitWindow: 500,
  pollingIntervalMs: 100,
  requestTimeoutMs: 15_000,
  submitTimeoutMs: 60_000,
  preparedTtlMs: 300_000,
  logRangeBlocks: 1_000,
} as const;

/** The schema this plugin ships (`configSchema` in its manifest), beside `src/` and `dist/`. */
const SCHEMA = new URL('../network-config.schema.json', import.meta.url);

/** Checks a config against the shipped schema (InvalidInputError naming the field) and fills in defaults. */
export function resolveConfig(network: NetworkConfig): ResolvedConfig {
  const c = readNetworkConfig<FiscoNetworkConfig>(network, SCHEMA);
  return {
    name: c.name,
    rpcUrl: c.rpcUrl,
    crypto: c.crypto,
    registry: c.registry.toLowerCase(),
    ...(c.customApps && { customApps: c.customApps.toLowerCase() }),
    chainId: c.chainId ?? DEFAULTS.chainId,
    groupId: c.groupId ?? DEFAULTS.groupId,
    blockLimitWindow: c.blockLimitWindow ?? DEFAULTS.blockLimitWindow,
    pollingIntervalMs: c.pollingIntervalMs ?? DEFAULTS.pollingIntervalMs,
    requestTimeoutMs: c.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
    submitTimeoutMs: c.submitTimeoutMs ?? DEFAULTS.submitTimeoutMs,
    preparedTtlMs: c.preparedTtlMs ?? DEFAULTS.preparedTtlMs,
    logRangeBlocks: c.logRangeBlocks ?? DEFAULTS.logRangeBlocks,
  };
}
