/**
 * The checks every adapter makes of an AppSpec before anything is written: the id, the name,
 * the framework, the mode and placement, the contract kind and each member (the member check
 * is the adapter's: what an account of its framework looks like).
 */
import type { ContractPackageFormat } from '../contract/contract-package.js';
import type { AppSpec, ContractSource } from '../contract/lifecycle.js';
import { InvalidInputError } from '../errors/errors.js';
import { checkId, checkMethod } from '../validation/input.js';
import { checkContractPackage } from './contract-package.js';

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

/** What an adapter runs besides the preset contract: the package formats it deploys (capability `lifecycle.custom-contract`). */
export interface ContractOptions {
  packages?: readonly ContractPackageFormat[];
}

/**
 * The contract an app runs: the preset data contract, or — where the adapter deploys packages
 * of that format — the app's own package, checked whole (checkContractPackage) with its
 * optional initializer or migration call.
 */
export function checkContractSource(contract: unknown, field = '/contract', options: ContractOptions = {}): ContractSource {
  if (typeof contract !== 'object' || contract === null) invalid(field, 'must be { kind: "preset-kv" } or { kind: "package", package }');
  const kind = (contract as ContractSource).kind;
  if (kind === 'preset-kv') return contract as ContractSource;
  const formats = options.packages ?? [];
  // The 1.0 shape asked the node to compile source files; a node compiles nothing (a package is
  // built by its developer and checked whole), so that shape is refused for good, not pending.
  if (kind === 'custom')
    invalid(
      `${field}/kind`,
      'the 1.0 "custom" shape (source files for the node to compile) is retired: name a built package as { kind: "package", package }',
    );
  if (kind !== 'package')
    return invalid(`${field}/kind`, `unknown contract kind ${JSON.stringify(kind)} (a kind is "preset-kv" or "package")`);
  if (formats.length === 0)
    invalid(`${field}/kind`, 'this adapter runs the preset contract only ("preset-kv"): it does not claim lifecycle.custom-contract');
  const { package: pkg, call, ...rest } = contract as Extract<ContractSource, { kind: 'package' }>;
  const extra = Object.keys(rest).find((k) => k !== 'kind');
  if (extra !== undefined) invalid(`${field}/${extra}`, 'is not allowed (unknown property)');
  const checked = checkContractPackage(pkg, `${field}/package`);
  if (!formats.includes(checked.format))
    invalid(`${field}/package/format`, `this adapter deploys ${formats.join(', ')} packages, not ${checked.format}`);
  if (call !== undefined) {
    if (typeof call !== 'object' || call === null) invalid(`${field}/call`, 'must be { method, args }');
    checkMethod(call.method, `${field}/call/method`);
    if (!Array.isArray(call.args)) invalid(`${field}/call/args`, 'must be an array of strings');
    call.args.forEach((a, i) => {
      if (typeof a !== 'string') invalid(`${field}/call/args/${i}`, 'must be a string');
    });
  }
  return { kind: 'package', package: checked, ...(call !== undefined && { call }) };
}

/**
 * Checks `spec` for an adapter of `framework`; `member(account, field)` checks one member
 * and returns its account id (throwing InvalidInputError naming `field` otherwise).
 */
export function checkAppSpec(
  spec: AppSpec,
  framework: string,
  member: (account: unknown, field: string) => string,
  options: ContractOptions = {},
): CheckedAppSpec {
  if (typeof spec !== 'object' || spec === null) invalid('', 'an app spec is an object');
  const appId = checkId(spec.appId, '/appId');
  if (typeof spec.name !== 'string' || spec.name.length === 0 || spec.name.length > 128) invalid('/name', 'must be 1–128 characters');
  if (spec.framework !== framework) invalid('/framework', `this adapter creates ${framework} apps, not ${JSON.stringify(spec.framework)}`);
  if (!APP_MODES.includes(spec.mode)) invalid('/mode', `must be one of ${APP_MODES.join(', ')}`);
  if (!APP_PLACEMENTS.includes(spec.placement)) invalid('/placement', `must be one of ${APP_PLACEMENTS.join(', ')}`);
  const contract = checkContractSource(spec.contract, '/contract', options);
  if (!Array.isArray(spec.members)) invalid('/members', 'must be an array of chain accounts');
  const members = spec.members.map((m, i) => member(m, `/members/${i}`));
  return { appId, name: spec.name, mode: spec.mode, placement: spec.placement, contract, members };
}
