import { InvalidInputError, readNetworkConfig, type NetworkConfig } from '@bsn/contract';
import { parsePrivateKey } from './antelope/index.js';

/** The NetworkConfig this adapter accepts (JSON Schema: `network-config.schema.json`). */
export interface EosNetworkConfig extends NetworkConfig {
  framework: 'eos';
  url: string;
  chainId: string;
  contract: string;
  creator?: { account: string; privateKey: string };
  requestTimeoutMs?: number;
  submitTimeoutMs?: number;
  pollIntervalMs?: number;
  expireSeconds?: number;
  preparedTtlMs?: number;
}

export interface ResolvedConfig {
  name: string;
  url: string;
  chainId: string;
  contract: string;
  creator?: { account: string; secret: Uint8Array };
  requestTimeoutMs: number;
  submitTimeoutMs: number;
  pollIntervalMs: number;
  expireSeconds: number;
  preparedTtlMs: number;
}

export const DEFAULTS = {
  requestTimeoutMs: 10_000,
  submitTimeoutMs: 60_000,
  pollIntervalMs: 100,
  expireSeconds: 120,
  preparedTtlMs: 60_000,
} as const;

const SCHEMA = new URL('../network-config.schema.json', import.meta.url);

/**
 * Checks a NetworkConfig against the shipped schema (InvalidInputError naming the field) and
 * fills in defaults; what the schema cannot say (the creator key decodes, with a valid
 * checksum) is checked here.
 */
export function resolveConfig(network: NetworkConfig): ResolvedConfig {
  const c = readNetworkConfig<EosNetworkConfig>(network, SCHEMA);
  let creator: ResolvedConfig['creator'];
  if (c.creator) {
    try {
      const key = parsePrivateKey(c.creator.privateKey);
      if (key.curve !== 'K1') throw new Error('not a K1 key');
      creator = { account: c.creator.account, secret: key.secret };
    } catch (error) {
      throw new InvalidInputError(`network config /creator/privateKey: not a K1 private key (${(error as Error).message})`, {
        field: '/creator/privateKey',
      });
    }
  }
  return {
    name: c.name,
    url: c.url.replace(/\/+$/, ''),
    chainId: c.chainId,
    contract: c.contract,
    ...(creator && { creator }),
    requestTimeoutMs: c.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
    submitTimeoutMs: c.submitTimeoutMs ?? DEFAULTS.submitTimeoutMs,
    pollIntervalMs: c.pollIntervalMs ?? DEFAULTS.pollIntervalMs,
    expireSeconds: c.expireSeconds ?? DEFAULTS.expireSeconds,
    preparedTtlMs: c.preparedTtlMs ?? DEFAULTS.preparedTtlMs,
  };
}
