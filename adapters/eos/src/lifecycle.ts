/**
 * Shared apps live in the shared preset contract account, each in a table scope of its own;
 * a dedicated app has an account of its own running the same contract, recorded in the shared
 * registry (docs/adapter-contract.md §10). Create, upgrade (the contract version), members and
 * freezing are the contract's actions on the app's account, authorized by the admin's account.
 */
import {
  ConflictError,
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
import type { AccountCreator } from './account-creator.js';
import { accountNameOf, dedicatedAccountOf, nameOfAccountId, PERMISSION } from './accounts.js';
import type { AppRegistry } from './apps.js';
import type { ContractAbis } from './contract-abis.js';
import { deployPresetContract } from './deploy.js';
import { compressPoint, parsePublicKey } from './antelope/index.js';
import { toBsnError } from './errors.js';
import { FRAMEWORK } from './framework.js';
import type { Transactions } from './transactions.js';

/** A member as the contract names it: the account of a ChainAccount id (`name@active`). */
export function memberName(account: unknown, field: string): string {
  if (typeof account !== 'object' || account === null) throw new InvalidInputError(`${field}: a member is a ChainAccount`, { field });
  const { framework, id } = account as Partial<ChainAccount>;
  if (framework !== undefined && framework !== FRAMEWORK) {
    throw new InvalidInputError(`${field}/framework: an EOS app's members are EOS accounts, not ${JSON.stringify(framework)}`, {
      field: `${field}/framework`,
    });
  }
  return nameOfAccountId(id, `${field}/id`);
}

/** How many names a dedicated app's account may try before its create gives up. */
const HOME_ATTEMPTS = 8;

export class EosLifecycle implements AppLifecycle {
  constructor(
    private readonly txs: Transactions,
    private readonly apps: AppRegistry,
    private readonly abis: ContractAbis,
    private readonly creator: AccountCreator,
  ) {}

  async create(spec: AppSpec, admin: Signer): Promise<AppInfo> {
    const checked = checkAppSpec(spec, FRAMEWORK, memberName);
    const adminName = accountNameOf(admin.algorithm, admin.publicKey);
    const members = [...new Set(checked.members)].filter((m) => m !== adminName);
    const data = { appid: checked.appId, name: checked.name, mode: checked.mode, admin: adminName, members };
    if (checked.placement === 'dedicated') {
      await this.createDedicated(data, admin);
    } else {
      await this.act(this.apps.contract, 'create', data, admin, `creating app ${checked.appId}`);
    }
    return this.apps.info(checked.appId);
  }

  /**
   * A dedicated app: an account of its own (made by the network's creator, which holds its key)
   * runs the preset contract; then, in one transaction by the admin, that contract creates the
   * app and the shared registry records where it lives — both or neither.
   */
  private async createDedicated(data: { appid: string; admin: string; [k: string]: unknown }, admin: Signer): Promise<void> {
    const what = `creating dedicated app ${data.appid}`;
    if (!this.creator.creatorSigner) {
      throw new InvalidInputError(`/placement: network ${this.txs.config.name} has no creator to make a dedicated app's account`, {
        field: '/placement',
      });
    }
    // Refused before any account is made; the registry refuses it again if another create got there first.
    if (await this.apps.exists(data.appid)) {
      throw new ConflictError(`app ${data.appid} exists`, { stage: 'validate', field: '/appId' });
    }
    const home = await this.homeFor(data.appid);
    try {
      await deployPresetContract(this.txs, this.creator, home);
    } catch (error) {
      // Another create of the same id (on another instance) may have got there first.
      if (await this.apps.exists(data.appid).catch(() => false)) {
        throw new ConflictError(`app ${data.appid} exists`, { stage: 'prepare', field: '/appId' });
      }
      throw toBsnError(error, { stage: 'prepare', what: `${what}: deploying the preset contract to ${home}` });
    }
    this.abis.forget(home);
    const [homeAbi, registryAbi] = await Promise.all([this.abis.of(home), this.abis.of(this.apps.contract)]);
    const authorization = [{ actor: data.admin, permission: PERMISSION }];
    await this.txs.submit(
      [
        { account: home, name: 'create', authorization, data: homeAbi.encodeAction('create', data) },
        {
          account: this.apps.contract,
          name: 'place',
          authorization,
          data: registryAbi.encodeAction('place', { appid: data.appid, admin: data.admin, home }),
        },
      ],
      admin,
      { what },
    );
  }

  /**
   * The account for a dedicated app: the first of its names that is free or held by the
   * creator's key alone (a create that stopped half-way); a name another key holds — taken
   * first, perhaps to block this app — is passed over.
   */
  private async homeFor(appId: string): Promise<string> {
    const creatorKey = Buffer.from(compressPoint(this.creator.creatorSigner!.publicKey));
    for (let attempt = 0; attempt < HOME_ATTEMPTS; attempt++) {
      const name = dedicatedAccountOf(this.apps.contract, appId, attempt);
      const account = await this.creator.account(name);
      if (!account) return name;
      const held = account.permissions.every(
        (p) =>
          p.required_auth.accounts.length === 0 &&
          p.required_auth.keys.length === 1 &&
          Buffer.from(parsePublicKey(p.required_auth.keys[0]!.key).compressed).equals(creatorKey),
      );
      if (held) return name;
    }
    throw new ConflictError(`the first ${HOME_ATTEMPTS} account names for dedicated app ${appId} are held by other keys`, {
      stage: 'prepare',
      field: '/appId',
    });
  }

  async get(app: AppRef): Promise<AppInfo> {
    return this.apps.info(checkAppRef(app).appId);
  }

  async upgrade(app: AppRef, contract: ContractSource, admin: Signer): Promise<AppInfo> {
    const { appId } = checkAppRef(app);
    checkContractSource(contract);
    const at = await this.apps.locate(appId);
    await this.act(
      at.account,
      'upgrade',
      { appid: appId, admin: accountNameOf(admin.algorithm, admin.publicKey) },
      admin,
      `upgrading app ${appId}`,
    );
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
    const at = await this.apps.locate(appId);
    await this.act(
      at.account,
      name,
      { appid: appId, admin: accountNameOf(admin.algorithm, admin.publicKey), member: account },
      admin,
      `${name} on ${appId}`,
    );
    return this.apps.info(appId);
  }

  private async adminAction(name: 'freeze' | 'unfreeze', app: AppRef, admin: Signer): Promise<AppInfo> {
    const { appId } = checkAppRef(app);
    const at = await this.apps.locate(appId);
    await this.act(
      at.account,
      name,
      { appid: appId, admin: accountNameOf(admin.algorithm, admin.publicKey) },
      admin,
      `${name} on ${appId}`,
    );
    return this.apps.info(appId);
  }

  /** One action of the contract at `contract` (shared, or a dedicated app's), authorized by the admin's account, final before it returns. */
  private async act(contract: string, name: string, data: Record<string, unknown>, admin: Signer, what: string): Promise<void> {
    const abi = await this.abis.of(contract);
    const actor = accountNameOf(admin.algorithm, admin.publicKey);
    await this.txs.submit(
      [{ account: contract, name, authorization: [{ actor, permission: PERMISSION }], data: abi.encodeAction(name, data) }],
      admin,
      {
        what,
      },
    );
  }
}
