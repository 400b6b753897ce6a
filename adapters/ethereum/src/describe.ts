import { describeFromManifest, readPluginManifest, type AdapterDescription } from '@bsn/contract';
import { LIMITS } from './limits.js';

export const FRAMEWORK = 'ethereum';

/**
 * What the adapter is and claims is written once, in bsn-plugin.json. Its `frameworkVersions`
 * are the node software's: geth >= 1.14 (Cancun EVM, which the contracts are compiled for;
 * eth_maxPriorityFeePerGas; proof-of-stake --dev) and anvil >= 1.0 (Foundry's first stable
 * line). The manifest cannot name the client, so both ranges are listed; `health().node` says
 * which one answers.
 */
const MANIFEST = readPluginManifest(new URL('../bsn-plugin.json', import.meta.url));

/** Finality is probabilistic: a block counts once `confirmations` blocks sit on top of it. */
export function describeAdapter(confirmations: number): AdapterDescription {
  return describeFromManifest(MANIFEST, { finality: { kind: 'probabilistic', depth: confirmations }, limits: LIMITS });
}
