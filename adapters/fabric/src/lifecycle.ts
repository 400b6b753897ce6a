import {
  InvalidInputError,
  type AppInfo, type AppLifecycle, type AppRef, type AppSpec, type ChainAccount, type ContractSource, type Signer,
} from '@bsn/core';
import type { AppRecord, PresetChaincode } from './chaincode-client.js';
import type { ResolvedConfig } from './config.js';
import type { FabricConnection } from './connection.js';
import type { Transactor } from './transactions.js';
import { checkAppId, checkAppRef, checkMember } from './validation.js';

export interface LifecycleDeps {
  config: ResolvedConfig;
  connection: FabricConnection;
  transactor: Transactor;
  chaincode: PresetChaincode;
}

const MODES = ['private', 'consortium'];

function invalid(field: string, message: string): never {
  throw new InvalidInputError(`${field}: ${message}`, { field });
}

function checkContract(contract: unknown, field = '/contract'): 'preset-kv' {
  if (typeof contract !== 'object' || contract === null) invalid(field, 'must be { kind: "preset-kv" } or a custom contract');
  const kind = (contract as ContractSource).kind;
  if (kind === 'preset-kv') return kind;
  if (kind === 'custom') invalid(`${field}/kind`, 'custom chaincode is not supported by this adapter yet: apps run the preset contract');
  return invalid(`${field}/kind`, `unknown contract kind ${JSON.stringify(kind)}`);
}

/**
 * Apps (BSN "channels") as namespaces of the preset chaincode on the shared channel: the app
 * record (admin, members, frozen flag, contract version) lives in world state under
 * `a/<appId>` and every write checks it in the same transaction. `create` is one transaction,
 * so a refused create leaves nothing behind. `upgrade` bumps the app's contract version in
 * its record: the code is the channel's preset chaincode, shared by the apps on it (a new
 * chaincode version is a network operation — approve and commit a new sequence — not one
 * app's). Placement `dedicated` (an app's own channel) is refused for now.
 */
export class FabricLifecycle implements AppLifecycle {
  constructor(private readonly d: LifecycleDeps) {}

  private async write(signer: Signer, fn: string, args: string[], what: string): Promise<AppInfo> {
    const gateway = await this.d.connection.gatewayFor(signer, '/admin');
    const committed = await this.d.transactor.transact(gateway, fn, args, { what, deadline: Date.now() + this.d.config.submitTimeoutMs });
    const app = JSON.parse(Buffer.from(committed.result).toString('utf8')) as AppRecord;
    return this.d.chaincode.appInfo(app);
  }

  async create(spec: AppSpec, admin: Signer): Promise<AppInfo> {
    if (typeof spec !== 'object' || spec === null) invalid('', 'an app spec is an object');
    const appId = checkAppId(spec.appId);
    if (typeof spec.name !== 'string' || spec.name.length === 0 || spec.name.length > 128) invalid('/name', 'must be 1-128 characters');
    if (spec.framework !== 'fabric') invalid('/framework', `this adapter creates Fabric apps, not ${JSON.stringify(spec.framework)}`);
    if (!MODES.includes(spec.mode)) invalid('/mode', `must be one of ${MODES.join(', ')}`);
    if (spec.placement === 'dedicated') invalid('/placement', 'dedicated apps (one channel each) are not supported yet: use shared');
    if (spec.placement !== 'shared') invalid('/placement', 'must be shared or dedicated');
    checkContract(spec.contract);
    if (!Array.isArray(spec.members)) invalid('/members', 'must be an array of accounts');
    const members = spec.members.map((m, i) => checkMember(m, `/members/${i}`));
    const chainSpec = { appId, name: spec.name, mode: spec.mode, placement: spec.placement, members };
    return this.write(admin, 'createApp', [JSON.stringify(chainSpec)], `creating app ${appId}`);
  }

  async get(app: AppRef): Promise<AppInfo> {
    return this.d.chaincode.appInfo(await this.d.chaincode.app(checkAppRef(app)));
  }

  async upgrade(app: AppRef, contract: ContractSource, admin: Signer): Promise<AppInfo> {
    const appId = checkAppRef(app);
    const kind = checkContract(contract);
    return this.write(admin, 'upgradeApp', [appId, kind], `upgrading app ${appId}`);
  }

  async addMember(app: AppRef, member: ChainAccount, admin: Signer): Promise<AppInfo> {
    const appId = checkAppRef(app);
    return this.write(admin, 'addMember', [appId, checkMember(member, '/member')], `adding a member to ${appId}`);
  }

  async removeMember(app: AppRef, member: ChainAccount, admin: Signer): Promise<AppInfo> {
    const appId = checkAppRef(app);
    return this.write(admin, 'removeMember', [appId, checkMember(member, '/member')], `removing a member from ${appId}`);
  }

  async freeze(app: AppRef, admin: Signer): Promise<AppInfo> {
    const appId = checkAppRef(app);
    return this.write(admin, 'freeze', [appId], `freezing ${appId}`);
  }

  async unfreeze(app: AppRef, admin: Signer): Promise<AppInfo> {
    const appId = checkAppRef(app);
    return this.write(admin, 'unfreeze', [appId], `unfreezing ${appId}`);
  }
}
