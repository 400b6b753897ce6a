/**
 * The checks every adapter makes of an AppSpec before anything is written: the id, the name,
 * the framework, the mode and placement, the contract kind and each member (the member check
 * is the adapter's: what an account of its framework looks like).
 */
import type { AppSpec, ContractSource } from '../contract/lifecycle.js';
import { InvalidInputError } from '../errors/errors.js';
import { checkId } from '../validation/input.js';

export const APP_MODES: readonly AppSpec['mode'][] = ['consortium', 'private'];
export const APP_PLACEMENTS: readonly AppSpec['placement'][] = ['shared', 'dedicated'];

/** An AppSpec after its checks, with each member reduced to the adapter's account id. */
export interface CheckedAppSpec {
  appId: string;
  name: string;
  mode: AppSpec['mode'];
  placement: AppSpec['placement'];
  contract: ContractSource;
  members: string[];
}

function invalid(field: string, message: string): never {
  throw new InvalidInputError(`${field}: ${message}`, { field });
}

/** The contract an app runs; this version of the standard runs the preset data contract only. */
export function checkContractSource(contract: unknown, field = '/contract'): ContractSource {
  if (typeof contract !== 'object' || contract === null) invalid(field, 'must be { kind: "preset-kv" }');
  const kind = (contract as ContractSource).kind;
  if (kind === 'preset-kv') return contract as ContractSource;
  if (kind === 'custom') invalid(`${field}/kind`, 'custom contracts are not supported yet: apps run the preset contract ("preset-kv")');
  return invalid(`${field}/kind`, `unknown contract kind ${JSON.stringify(kind)} (a kind is "preset-kv" or "custom")`);
}

/**
 * Checks `spec` for an adapter of `framework`; `member(account, field)` checks one member
 * and returns its account id (throwing InvalidInputError naming `field` otherwise).
 */
export function checkAppSpec(spec: AppSpec, framework: string, member: (account: unknown, field: string) => string): CheckedAppSpec {
  if (typeof spec !== 'object' || spec === null) invalid('', 'an app spec is an object');
  const appId = checkId(spec.appId, '/appId');
  if (typeof spec.name !== 'string' || spec.name.length === 0 || spec.name.length > 128) invalid('/name', 'must be 1–128 characters');
  if (spec.framework !== framework) invalid('/framework', `this adapter creates ${framework} apps, not ${JSON.stringify(spec.framework)}`);
  if (!APP_MODES.includes(spec.mode)) invalid('/mode', `must be one of ${APP_MODES.join(', ')}`);
  if (!APP_PLACEMENTS.includes(spec.placement)) invalid('/placement', `must be one of ${APP_PLACEMENTS.join(', ')}`);
  const contract = checkContractSource(spec.contract);
  if (!Array.isArray(spec.members)) invalid('/members', 'must be an array of chain accounts');
  const members = spec.members.map((m, i) => member(m, `/members/${i}`));
  return { appId, name: spec.name, mode: spec.mode, placement: spec.placement, contract, members };
}
