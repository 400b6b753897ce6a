/**
 * Apps that bring their own contract (capability `lifecycle.custom-contract`): the package's
 * WASM and ABI run on an account of the app's own (app-account.ts), held by the app's admin;
 * the app's record — admin, members, frozen, version — is a shared app's record in the preset
 * contract's registry, as for every app. The create is two transactions: the network's creator
 * makes the (empty) account, then the admin, in ONE transaction, gives the contract its own
 * authority, sets code and ABI, records the app and runs the initializer — all or nothing. An
 * upgrade is one transaction by the admin too: setcode + setabi, the registry's `upgrade`
 * (which checks the admin and bumps the version) and the migration; a failure anywhere leaves
 * the old code serving. The contract's tables live in the account, so they outlive any code.
 */
import { createHash } from 'node:crypto';
import {
  ConflictError,
  InvalidInputError,
  NotFoundError,
  UnauthorizedError,
  isBsnError,
  type AppInfo,
  type ContractCall,
  type EosWasmPackage,
  type Signer,
} from '@bsn/contract';
import { NATIVE_ABI, type ContractAbi, type PackedAction } from '../antelope/index.js';
import type { AccountCreator } from '../account-creator.js';
import { accountNameOf, PERMISSION } from '../accounts.js';
import type { AppRegistry } from '../apps.js';
import type { ContractAbis } from '../contract-abis.js';
import { toBsnError } from '../errors.js';
import { FRAMEWORK } from '../framework.js';
import type { Transactions } from '../transactions.js';
import { actionData } from './action-args.js';
import { ACCOUNT_ATTEMPTS, accountsAuthority, appAccountOf, appAuthorities, hasCodePermission, heldBy } from './app-account.js';
import { checkEosPackage } from './package-check.js';

/** The package formats an app may bring here. */
export const EOS_PACKAGES = ['eos-wasm'] as const;

const NO_CODE = /^0+$/;

/** A custom app as found on the chain: its registry record and the account its contract runs on. */
export interface CustomApp {
  appId: string;
  account: string;
  /** The admin's and members' account names. */
  admin: string;
  members: string[];
  frozen: boolean;
  /** The registry's view (a shared app's), which `info` turns into the custom app's. */
  record: AppInfo;
  /** The block that created the app: its events start there. */
  created: number;
  abi: ContractAbi;
}

export interface CustomAppsDeps {
  txs: Transactions;
  apps: AppRegistry;
  abis: ContractAbis;
  creator: AccountCreator;
}

/** What a create needs, checked. */
export interface CustomCreate {
  appId: string;
  name: string;
  mode: string;
  members: string[];
  pkg: EosWasmPackage;
  call?: ContractCall;
}

const nameOfId = (id: string) => id.replace(/@active$/, '');

export class CustomApps {
  private readonly accounts = new Map<string, string>();
  private readonly presetUntil = new Map<string, number>();
  private readonly cache = new Map<string, { app: CustomApp; at: number }>();

  constructor(private readonly d: CustomAppsDeps) {}

  /** Whether `appId` was found running its own contract (an app's kind never changes). */
  isCustom(appId: string): boolean {
    return this.accounts.has(appId);
  }

  /**
   * The custom app `appId` names, or undefined for a preset app or none. The gateway asks on
   * every call: a custom app is kept `maxAgeMs` (members, frozen and code may change; the
   * lifecycle asks with 0), a preset app a minute (its record and an app account are made in
   * one transaction, so a preset app never becomes a custom one).
   */
  async find(appId: string, maxAgeMs = 1_000): Promise<CustomApp | undefined> {
    const now = Date.now();
    if ((this.presetUntil.get(appId) ?? 0) > now) return undefined;
    const cached = this.cache.get(appId);
    if (cached && now - cached.at <= maxAgeMs) return cached.app;
    const app = await this.read(appId);
    if (app === 'preset') this.presetUntil.set(appId, now + 60_000);
    else if (app) this.cache.set(appId, { app, at: now });
    return app === 'preset' ? undefined : app;
  }

  /** The custom app, `preset` for an app running the preset contract, undefined for no app (yet). */
  private async read(appId: string): Promise<CustomApp | 'preset' | undefined> {
    let record: AppInfo;
    try {
      record = await this.d.apps.info(appId);
    } catch (error) {
      if (isBsnError(error, 'NOT_FOUND')) return undefined;
      throw error;
    }
    if (record.location.contract !== this.d.apps.contract) return 'preset';
    const admin = nameOfId(record.admin);
    const account = this.accounts.get(appId) ?? (await this.accountOf(appId, admin));
    if (!account) return 'preset';
    this.accounts.set(appId, account);
    const located = await this.d.apps.locate(appId);
    return {
      appId,
      account,
      admin,
      members: record.members.map(nameOfId),
      frozen: record.state === 'frozen',
      record,
      created: located.created,
      abi: await this.d.abis.of(account),
    };
  }

  /** The first of the app's account names held by `admin` and running code; undefined when none (a preset app). */
  private async accountOf(appId: string, admin: string): Promise<string | undefined> {
    for (let attempt = 0; attempt < ACCOUNT_ATTEMPTS; attempt++) {
      const name = appAccountOf(this.d.apps.contract, appId, attempt);
      const account = await this.d.creator.account(name);
      if (!account) return undefined;
      if (heldBy(account, admin)) return (await this.hasCode(name)) ? name : undefined;
    }
    return undefined;
  }

  private async hasCode(account: string): Promise<boolean> {
    try {
      return !NO_CODE.test((await this.d.txs.api.codeHash(account)).code_hash);
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what: `reading the code of ${account}` });
    }
  }

  /** The package's code and ABI, and its initializer or migration as an action, all checked before the chain. */
  private prepared(pkg: EosWasmPackage, call: ContractCall | undefined, field: string) {
    const checked = checkEosPackage(pkg, `${field}/package`);
    let initial: { name: string; data: Uint8Array } | undefined;
    if (call) {
      if (!checked.abi.hasAction(call.method))
        throw new InvalidInputError(`${field}/call/method: the package's ABI has no action ${JSON.stringify(call.method)}`, {
          field: `${field}/call/method`,
        });
      const data = actionData(checked.abi, call.method, call.args, `${field}/call/args`);
      initial = { name: call.method, data: checked.abi.encodeAction(call.method, data) };
    }
    return { ...checked, initial };
  }

  private codeActions(account: string, wasm: Uint8Array, abi: ContractAbi): PackedAction[] {
    const authorization = [{ actor: account, permission: PERMISSION }];
    return [
      {
        account: 'eosio',
        name: 'setcode',
        authorization,
        data: NATIVE_ABI.encodeAction('setcode', { account, vmtype: 0, vmversion: 0, code: Buffer.from(wasm).toString('hex') }),
      },
      {
        account: 'eosio',
        name: 'setabi',
        authorization,
        data: NATIVE_ABI.encodeAction('setabi', { account, abi: Buffer.from(abi.encodeSelf()).toString('hex') }),
      },
    ];
  }

  async create(spec: CustomCreate, admin: Signer): Promise<AppInfo> {
    const what = `creating app ${spec.appId} with its own contract`;
    const { wasm, abi, initial } = this.prepared(spec.pkg, spec.call, '/contract');
    const adminName = accountNameOf(admin.algorithm, admin.publicKey);
    if (!this.d.creator.creatorSigner) {
      throw new InvalidInputError(`/contract: network ${this.d.txs.config.name} has no creator to make the app's account`, {
        field: '/contract',
      });
    }
    if (await this.d.apps.exists(spec.appId)) throw new ConflictError(`app ${spec.appId} exists`, { stage: 'validate', field: '/appId' });
    const account = await this.freshAccount(spec.appId, adminName);
    const existing = await this.d.creator.account(account);
    const registry = await this.d.abis.of(this.d.apps.contract);
    const byAdmin = [{ actor: adminName, permission: PERMISSION }];
    const actions: PackedAction[] = [];
    if (!existing || !hasCodePermission(existing)) {
      actions.push({
        account: 'eosio',
        name: 'updateauth',
        authorization: [{ actor: account, permission: PERMISSION }],
        data: NATIVE_ABI.encodeAction('updateauth', {
          account,
          permission: 'active',
          parent: 'owner',
          auth: appAuthorities(account, adminName).active,
        }),
      });
    }
    actions.push(...this.codeActions(account, wasm, abi), {
      account: this.d.apps.contract,
      name: 'create',
      authorization: byAdmin,
      data: registry.encodeAction('create', {
        appid: spec.appId,
        name: spec.name,
        mode: spec.mode,
        admin: adminName,
        members: [...new Set(spec.members)].filter((m) => m !== adminName),
      }),
    });
    if (initial) actions.push({ account, name: initial.name, authorization: byAdmin, data: initial.data });
    try {
      await this.d.txs.submit(actions, admin, { what });
    } catch (error) {
      if (await this.d.apps.exists(spec.appId).catch(() => false))
        throw new ConflictError(`app ${spec.appId} exists`, { stage: 'submit', field: '/appId', cause: error });
      throw error;
    } finally {
      this.d.abis.forget(account);
      this.presetUntil.delete(spec.appId);
    }
    return this.info(await this.require(spec.appId));
  }

  /**
   * The app's account, made empty and held by the admin if needed: the first of its names that
   * is free, or held by this admin and running no code yet (a create that stopped after
   * making it). A name held by anyone else is passed over.
   */
  private async freshAccount(appId: string, admin: string): Promise<string> {
    for (let attempt = 0; attempt < ACCOUNT_ATTEMPTS; attempt++) {
      const name = appAccountOf(this.d.apps.contract, appId, attempt);
      const account = await this.d.creator.account(name);
      if (account && (!heldBy(account, admin) || (await this.hasCode(name)))) continue;
      if (!account) await this.makeAccount(name, admin);
      return name;
    }
    throw new ConflictError(`the first ${ACCOUNT_ATTEMPTS} account names for app ${appId} are taken`, {
      stage: 'prepare',
      field: '/appId',
    });
  }

  private async makeAccount(name: string, admin: string): Promise<void> {
    const creator = this.d.txs.config.creator!.account;
    const adminOnly = accountsAuthority([{ actor: admin, permission: PERMISSION }]);
    await this.d.txs.submit(
      [
        {
          account: 'eosio',
          name: 'newaccount',
          authorization: [{ actor: creator, permission: 'active' }],
          data: NATIVE_ABI.encodeAction('newaccount', { creator, name, owner: adminOnly, active: adminOnly }),
        },
      ],
      this.d.creator.creatorSigner!,
      { what: `creating account ${name} for an app's contract` },
    );
  }

  /** Sets the new package's code and ABI on the app's account and runs its migration, as the app's admin only, in one transaction. */
  async upgrade(app: CustomApp, pkg: EosWasmPackage, call: ContractCall | undefined, admin: Signer): Promise<AppInfo> {
    const { wasm, abi, initial } = this.prepared(pkg, call, '/contract');
    const caller = accountNameOf(admin.algorithm, admin.publicKey);
    if (caller !== app.admin) {
      throw new UnauthorizedError(`only the app's admin may upgrade its contract (${app.admin}, not ${caller})`, {
        stage: 'validate',
        field: '/admin',
        detail: { framework: FRAMEWORK, data: { admin: app.admin, caller } },
      });
    }
    const registry = await this.d.abis.of(this.d.apps.contract);
    const byAdmin = [{ actor: caller, permission: PERMISSION }];
    const actions: PackedAction[] = [
      ...this.codeActions(app.account, wasm, abi),
      {
        account: this.d.apps.contract,
        name: 'upgrade',
        authorization: byAdmin,
        data: registry.encodeAction('upgrade', { appid: app.appId, admin: caller }),
      },
    ];
    if (initial) actions.push({ account: app.account, name: initial.name, authorization: byAdmin, data: initial.data });
    try {
      await this.d.txs.submit(actions, admin, { what: `upgrading app ${app.appId} to ${digestOf(wasm)}` });
    } finally {
      this.d.abis.forget(app.account);
      this.cache.delete(app.appId);
    }
    return this.info(await this.require(app.appId));
  }

  private async require(appId: string): Promise<CustomApp> {
    const app = await this.find(appId, 0);
    if (!app) throw new NotFoundError(`app ${appId} runs no contract of its own`, { stage: 'query', field: '/appId' });
    return app;
  }

  info(app: CustomApp): AppInfo {
    return {
      ...app.record,
      location: { network: app.record.location.network!, contract: app.account },
      contract: { kind: 'package', version: app.record.contract.version },
    };
  }
}

/** The code's SHA-256 as nodeos reports it (`get_code_hash`), for messages. */
const digestOf = (wasm: Uint8Array): string => `code ${createHash('sha256').update(wasm).digest('hex').slice(0, 16)}…`;
