import { Interface, id } from 'ethers';
import type { PresetMethod } from '@bsn/contract';
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

/** The Solidity function behind each preset method (`delete` is a reserved word in Solidity). */
export const PRESET_FUNCTIONS: Record<PresetMethod, string> = { put: 'put', delete: 'remove', get: 'get' };

/** Solidity function name → generic method name, for transaction look-ups. */
export const METHOD_OF_FUNCTION: Record<string, string> = Object.fromEntries(
  Object.entries(PRESET_FUNCTIONS).map(([method, fn]) => [fn, method]),
);
