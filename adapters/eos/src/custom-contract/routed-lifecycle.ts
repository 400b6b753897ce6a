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
  type EosWasmPackage,
  type Signer,
} from '@bsn/contract';
import { FRAMEWORK } from '../framework.js';
import { memberName, type EosLifecycle } from '../lifecycle.js';
import { EOS_PACKAGES, type CustomApps } from './custom-apps.js';

const isPackage = (contract: unknown): boolean =>
  typeof contract === 'object' && contract !== null && (contract as { kind?: unknown }).kind === 'package';

/**
 * The adapter's lifecycle: an app spec naming a package creates an app with its own contract
 * (custom-apps.ts), and such an app is upgraded with a package; members and freezing are the
 * registry's as for every app. Everything else is the preset lifecycle's.
 */
export class CustomAwareLifecycle implements AppLifecycle {
  constructor(
    private readonly preset: EosLifecycle,
    private readonly custom: CustomApps,
  ) {}

  async create(spec: AppSpec, admin: Signer): Promise<AppInfo> {
    if (!isPackage((spec as { contract?: unknown } | undefined)?.contract)) return this.preset.create(spec, admin);
    const checked = checkAppSpec(spec, FRAMEWORK, memberName, { packages: EOS_PACKAGES });
    if (checked.placement !== 'shared')
      throw new InvalidInputError('/placement: an app with its own contract has an account of its own already: its placement is "shared"', {
        field: '/placement',
      });
    const contract = checked.contract as Extract<ContractSource, { kind: 'package' }>;
    return this.custom.create(
      {
        appId: checked.appId,
        name: checked.name,
        mode: checked.mode,
        members: checked.members,
        pkg: contract.package as EosWasmPackage,
        ...(contract.call && { call: contract.call }),
      },
      admin,
    );
  }

  async get(app: AppRef): Promise<AppInfo> {
    const { appId } = checkAppRef(app);
    const custom = await this.custom.find(appId, 0);
    return custom ? this.custom.info(custom) : this.preset.get(app);
  }

  async upgrade(app: AppRef, contract: ContractSource, admin: Signer): Promise<AppInfo> {
    const { appId } = checkAppRef(app);
    const custom = await this.custom.find(appId, 0);
    if (!custom) {
      if (isPackage(contract))
        throw new InvalidInputError(`/contract/kind: app ${appId} runs the preset contract, which is not replaced by a package`, {
          field: '/contract/kind',
        });
      return this.preset.upgrade(app, contract, admin);
    }
    const checked = checkContractSource(contract, '/contract', { packages: EOS_PACKAGES });
    if (checked.kind !== 'package')
      throw new InvalidInputError(`/contract/kind: app ${appId} runs its own contract: upgrade it with a package`, {
        field: '/contract/kind',
      });
    return this.custom.upgrade(custom, checked.package as EosWasmPackage, checked.call, admin);
  }

  addMember(app: AppRef, member: ChainAccount, admin: Signer): Promise<AppInfo> {
    return this.then(app, this.preset.addMember(app, member, admin));
  }

  removeMember(app: AppRef, member: ChainAccount, admin: Signer): Promise<AppInfo> {
    return this.then(app, this.preset.removeMember(app, member, admin));
  }

  freeze(app: AppRef, admin: Signer): Promise<AppInfo> {
    return this.then(app, this.preset.freeze(app, admin));
  }

  unfreeze(app: AppRef, admin: Signer): Promise<AppInfo> {
    return this.then(app, this.preset.unfreeze(app, admin));
  }

  /** The preset lifecycle's answer, seen as the custom app's when it is one. */
  private async then(app: AppRef, done: Promise<AppInfo>): Promise<AppInfo> {
    const info = await done;
    const custom = await this.custom.find(info.appId, 0);
    return custom ? this.custom.info(custom) : info;
  }
}
