import { Interface, id } from 'ethers';
import { BsnAppProxy, BsnAppRegistry, BsnKvApp } from './generated/artifacts.js';

/** ABIs and bytecode of the contracts compiled from `contracts/` by `npm run build:assets`. */
export const appInterface = new Interface(BsnKvApp.abi);
export const registryInterface = new Interface(BsnAppRegistry.abi);
export const artifacts = { BsnAppProxy, BsnAppRegistry, BsnKvApp };

/** What `BSN_REGISTRY()` answers on a registry this adapter can use. */
export const REGISTRY_PROTOCOL = 'bsn.ethereum.registry/1';

export const TOPICS = {
  appEvent: appInterface.getEvent('AppEvent')!.topicHash,
  kvWritten: appInterface.getEvent('KvWritten')!.topicHash,
  requestExecuted: appInterface.getEvent('RequestExecuted')!.topicHash,
  appCreated: registryInterface.getEvent('AppCreated')!.topicHash,
} as const;

/** The `nameHash` topic of AppEvent for an event name. */
export const eventNameTopic = (name: string): string => id(name);

/**
 * The preset contract's generic method names (core PRESET_METHODS) and the Solidity
 * functions behind them. `delete` is a reserved word in Solidity, hence `remove`.
 */
export const PRESET_FUNCTIONS = {
  put: { fn: 'put', write: true, params: ['string', 'bytes'] },
  delete: { fn: 'remove', write: true, params: ['string'] },
  get: { fn: 'get', write: false, params: ['string'] },
} as const satisfies Record<string, { fn: string; write: boolean; params: readonly ('string' | 'bytes')[] }>;
export type PresetMethod = keyof typeof PRESET_FUNCTIONS;

/** Solidity function name → generic method name, for transaction look-ups. */
export const METHOD_OF_FUNCTION: Record<string, string> = Object.fromEntries(
  Object.entries(PRESET_FUNCTIONS).map(([method, f]) => [f.fn, method]),
);
