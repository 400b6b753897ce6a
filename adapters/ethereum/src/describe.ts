import { ADAPTER_API_VERSION, type AdapterDescription, type Capability } from '@bsn/contract';
import { LIMITS } from './limits.js';

export const ADAPTER_NAME = '@bsn/adapter-ethereum';
export const ADAPTER_VERSION = '0.1.0';

/** Exactly what this adapter implements (the manifest lists the same; a test checks they agree). */
export const CLAIMED_CAPABILITIES: Capability[] = [
  'describe',
  'identity.derive',
  'identity.bind',
  'keys.hosted',
  'keys.user',
  'gateway.submit',
  'gateway.evaluate',
  'gateway.events',
  'gateway.lookup',
  'gateway.health',
  'lifecycle.create',
  'lifecycle.upgrade',
  'lifecycle.members',
  'lifecycle.freeze',
  'lifecycle.isolation',
  'lifecycle.dedicated',
  'kv.preset',
  'interchain.emit',
  'interchain.evidence',
  'interchain.verify',
];

/**
 * Semver ranges of the node software: geth >= 1.14 (Cancun EVM, which the contracts are
 * compiled for; eth_maxPriorityFeePerGas; proof-of-stake --dev) and anvil >= 1.0 (Foundry's
 * first stable line). The manifest format cannot name the client, so both ranges are listed;
 * the client itself is reported by `health().node` (web3_clientVersion).
 */
export const FRAMEWORK_VERSIONS = ['>=1.14.0 <2.0.0', '>=1.0.0 <2.0.0'];

export function describeAdapter(confirmations: number): AdapterDescription {
  return {
    framework: 'ethereum',
    adapter: { name: ADAPTER_NAME, version: ADAPTER_VERSION },
    adapterApi: ADAPTER_API_VERSION,
    frameworkVersions: [...FRAMEWORK_VERSIONS],
    keyAlgorithms: ['secp256k1'],
    finality: { kind: 'probabilistic', depth: confirmations },
    capabilities: [...CLAIMED_CAPABILITIES],
    limits: { ...LIMITS },
  };
}
