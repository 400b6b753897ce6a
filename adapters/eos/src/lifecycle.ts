/**
 * Apps live in the shared preset contract account, each in a table scope of its own
 * (docs/adapter-contract.md §10): create, upgrade (the contract version), members and
 * freezing are the contract's actions, authorized by the admin's account.
 */
import {
  InvalidInputError,
  checkAppRef,
  checkAppSpec,
  checkContractSource,
  type AppInfo,
  type AppLifecycle,
  type AppRef,
  type AppSpec,
  type ChainAccount,
  type ContractSource,
  type Signer,
} from '@bsn/contract';
import { accountNameOf, nameOfAccountId, PERMISSION } from './accounts.js';
import type { AppRegistry } from './apps.js';
import type { ContractAbis } from './contract-abis.js';
import { FRAMEWORK } from './framework.js';
import type { Transactions } from './transactions.js';

/** A member as the contract names it: the account of a ChainAccount id (`name@active`). */
function memberName(account: unknown, field: string): string {
  if (typeof account !== 'object' || account === null) throw new InvalidInputError(`${field}: a member is a ChainAccount`, { field });
  const { framework, id } = account as Partial<ChainAccount>;
  if (framework !== undefined && framework !== FRAMEWORK) {
    throw new InvalidInputError(`${field}/framework: an EOS app's members are EOS accounts, not ${JSON.stringify(framework)}`, {
      field: `${field}/framework`,
    });
  }
  return nameOfAccountId(id, `${field}/id`);
}

export class EosLifecycle implements AppLifecycle {
  constructor(
    private readonly txs: Transactions,
    private readonly apps: AppRegistry,
    private readonly abis: ContractAbis,
  ) {}

  async create(spec: AppSpec, admin: Signer): Promise<AppInfo> {
    const checked = checkAppSpec(spec, FRAMEWORK, memberName);
    if (checked.placement !== 'shared') {
      throw new InvalidInputError('/placement: this adapter places apps in the shared contract only (it does not claim lifecycle.dedicated)', {
        field: '/placement',
      });
    }
    const adminName = accountNameOf(admin.algorithm, admin.publicKey);
    const members = [...new Set(checked.members)].filter((m) => m !== adminName);
    await this.act(
      'create',
      { appid: checked.appId, name: checked.name, mode: checked.mode, admin: adminName, members },
      admin,
      `creating app ${checked.appId}`,
    );
    return this.apps.info(checked.appId);
  }

  async get(app: AppRef): Promise<AppInfo> {
    return this.apps.info(checkAppRef(app).appId);
  }

  async upgrade(app: AppRef, contract: ContractSource, admin: Signer): Promise<AppInfo> {
    const { appId } = checkAppRef(app);
    checkContractSource(contract);
    await this.apps.locate(appId);
    await this.act('upgrade', { appid: appId, admin: accountNameOf(admin.algorithm, admin.publicKey) }, admin, `upgrading app ${appId}`);
    return this.apps.info(appId);
  }

  addMember(app: AppRef, member: ChainAccount, admin: Signer): Promise<AppInfo> {
    return this.memberAction('addmember', app, member, admin);
  }

  removeMember(app: AppRef, member: ChainAccount, admin: Signer): Promise<AppInfo> {
    return this.memberAction('rmmember', app, member, admin);
  }

  freeze(app: AppRef, admin: Signer): Promise<AppInfo> {
    return this.adminAction('freeze', app, admin);
  }

  unfreeze(app: AppRef, admin: Signer): Promise<AppInfo> {
    return this.adminAction('unfreeze', app, admin);
  }

  private async memberAction(name: 'addmember' | 'rmmember', app: AppRef, member: ChainAccount, admin: Signer): Promise<AppInfo> {
    const { appId } = checkAppRef(app);
    const account = memberName(member, '/member');
    await this.apps.locate(appId);
    await this.act(name, { appid: appId, admin: accountNameOf(admin.algorithm, admin.publicKey), member: account }, admin, `${name} on ${appId}`);
    return this.apps.info(appId);
  }

  private async adminAction(name: 'freeze' | 'unfreeze', app: AppRef, admin: Signer): Promise<AppInfo> {
    const { appId } = checkAppRef(app);
    await this.apps.locate(appId);
    await this.act(name, { appid: appId, admin: accountNameOf(admin.algorithm, admin.publicKey) }, admin, `${name} on ${appId}`);
    return this.apps.info(appId);
  }

  /** One action of the shared contract, authorized by the admin's account, final before it returns. */
  private async act(name: string, data: Record<string, unknown>, admin: Signer, what: string): Promise<void> {
    const contract = this.apps.contract;
    const abi = await this.abis.of(contract);
    const actor = accountNameOf(admin.algorithm, admin.publicKey);
    await this.txs.submit([{ account: contract, name, authorization: [{ actor, permission: PERMISSION }], data: abi.encodeAction(name, data) }], admin, {
      what,
    });
  }
}
