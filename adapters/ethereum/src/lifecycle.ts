import { getAddress, getBytes, isAddress, isHexString } from 'ethers';
import {
  ConflictError,
  NotFoundError,
  UnauthorizedError,
  checkAppSpec,
  checkContractSource,
  isBsnError,
  type AppInfo,
  type AppLifecycle,
  type AppRef,
  type AppSpec,
  type ChainAccount,
  type ContractSource,
  type Signer,
} from '@bsn/contract';
import { appInterface, artifacts } from './abi.js';
import { FRAMEWORK } from './describe.js';
import { toBsnError } from './errors.js';
import type { CustomContracts } from './custom-contract/custom-contracts.js';
import type { CustomAppState } from './custom-contract/custom-apps.js';
import type { AdapterParts } from './parts.js';
import type { AppLocation } from './registry-contract.js';
import { addressOf, checkAlgorithm, signerAddress } from './signer-bridge.js';
import { checkAppRef, invalidInput } from './validation.js';

/** The registry's uint8 codes of mode and placement (BsnAppRegistry.createApp). */
const MODE_CODES: readonly AppSpec['mode'][] = ['consortium', 'private'];
const PLACEMENT_CODES: readonly AppSpec['placement'][] = ['shared', 'dedicated'];

/** The address of a ChainAccount, checking that its parts agree (id, public key, algorithm, framework). */
export function accountAddress(account: unknown, field: string): string {
  if (typeof account !== 'object' || account === null) invalidInput(field, 'an account is a ChainAccount object');
  const a = account as Partial<ChainAccount>;
  if (a.framework !== undefined && a.framework !== FRAMEWORK)
    invalidInput(`${field}/framework`, `an account of framework ${JSON.stringify(a.framework)} cannot join an Ethereum app`);
  if (a.algorithm !== undefined) checkAlgorithm(a.algorithm, `${field}/algorithm`);
  if (typeof a.id !== 'string' || !isAddress(a.id)) invalidInput(`${field}/id`, 'an Ethereum account id is a 20-byte hex address');
  const address = getAddress(a.id);
  if (a.publicKey !== undefined && a.publicKey !== '') {
    const hex = typeof a.publicKey === 'string' ? (a.publicKey.startsWith('0x') ? a.publicKey : `0x${a.publicKey}`) : '';
    if (!isHexString(hex)) invalidInput(`${field}/publicKey`, 'a public key is hex');
    if (addressOf(getBytes(hex), `${field}/publicKey`) !== address)
      invalidInput(`${field}/publicKey`, `the public key is not the key of ${address}`);
  }
  return address;
}

export type LifecycleDeps = Pick<AdapterParts, 'config' | 'chain' | 'finality' | 'sender' | 'registry'>;

/** The package formats an app may bring as its own contract here (custom-contract/). */
export const PACKAGE_FORMATS = ['evm-bytecode', 'solidity'] as const;

/**
 * Apps as contracts: each app is a BsnAppProxy created by the registry in one transaction
 * (so a refused create leaves nothing behind), running BsnKvApp. Every change is sent by
 * the admin's key and returns once final; preconditions the contract enforces (admin only,
 * app exists) are also checked first so that no doomed transaction or code deployment is
 * paid for, and requests that change nothing (adding a member twice) send nothing.
 * An app with a contract of its own (`contract.kind: 'package'`) lives in BsnCustomApps
 * instead (custom-contract/); every operation finds which kind an app is by its id.
 */
export class EthereumLifecycle implements AppLifecycle {
  constructor(
    private readonly d: LifecycleDeps,
    private readonly custom: CustomContracts,
  ) {}

  async create(spec: AppSpec, admin: Signer): Promise<AppInfo> {
    const checked = checkAppSpec(spec, FRAMEWORK, accountAddress, { packages: PACKAGE_FORMATS });
    const { appId, members, mode, placement, contract } = checked;
    signerAddress(admin, '/admin');

    const exists = await this.d.registry.resolve(appId).then(
      () => true,
      (e: unknown) => {
        if (isBsnError(e, 'NOT_FOUND')) return false;
        throw e;
      },
    );
    if (exists || (await this.custom.apps.state(appId)))
      throw new ConflictError(`app ${JSON.stringify(appId)} exists already`, {
        stage: 'validate',
        field: '/appId',
        detail: { framework: FRAMEWORK, data: { appId } },
      });
    if (contract.kind === 'package') return this.custom.lifecycle.create(checked, contract, admin);
    await this.d.sender.send(
      {
        to: this.d.registry.address,
        data: this.d.registry.encodeCreate(appId, members, MODE_CODES.indexOf(mode), PLACEMENT_CODES.indexOf(placement)),
        what: `creating app ${appId}`,
      },
      admin,
      { wait: 'final' },
    );
    return this.get({ appId });
  }

  async get(appRef: AppRef): Promise<AppInfo> {
    const appId = checkAppRef(appRef);
    const custom = await this.custom.appOf(appRef);
    if (custom) return this.custom.lifecycle.info(custom);
    return this.info(await this.d.registry.resolve(appId));
  }

  /** The custom app `appRef` names once `signer` is known to be its admin; undefined for a preset app. */
  private async customAsAdmin(appRef: AppRef, signer: Signer, what: string): Promise<CustomAppState | undefined> {
    checkAppRef(appRef);
    const from = signerAddress(signer, '/admin');
    const custom = await this.custom.appOf(appRef);
    return custom && this.custom.lifecycle.asAdmin(custom.appId, from, what);
  }

  private async info(app: AppLocation): Promise<AppInfo> {
    const final = await this.d.finality.finalHead();
    let decoded: [string, string, string[], boolean, bigint, bigint, bigint, bigint, string, string];
    try {
      const out = await this.d.chain.call({ to: app.address, data: appInterface.encodeFunctionData('appInfo') }, final);
      decoded = appInterface.decodeFunctionResult('appInfo', out) as unknown as typeof decoded;
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what: `reading app ${app.appId}` });
    }
    const [appId, admin, members, frozen, version, mode, placement, , implementation, registry] = decoded;
    if (appId !== app.appId) throw new NotFoundError(`the contract at ${app.address} is not app ${app.appId}`, { stage: 'query' });
    return {
      appId,
      framework: FRAMEWORK,
      mode: MODE_CODES[Number(mode)] ?? 'consortium',
      placement: PLACEMENT_CODES[Number(placement)] ?? 'shared',
      state: frozen ? 'frozen' : 'active',
      location: {
        network: this.d.config.name,
        chainId: String(this.d.config.chainId),
        registry: getAddress(registry),
        address: app.address,
        implementation: getAddress(implementation),
        createdBlock: String(app.createdBlock),
      },
      contract: { kind: 'preset-kv', version: Number(version) },
      admin: getAddress(admin),
      members: [...members].map((m) => getAddress(m)),
    };
  }

  /** Resolves the app and checks `signer` is its admin (the contract checks it again). */
  private async asAdmin(appRef: AppRef, signer: Signer, what: string): Promise<{ app: AppLocation; info: AppInfo }> {
    const appId = checkAppRef(appRef);
    const from = signerAddress(signer, '/admin');
    const app = await this.d.registry.resolve(appId);
    const info = await this.info(app);
    if (info.admin !== from) {
      throw new UnauthorizedError(`${what}: ${from} is not the admin of ${appId}`, {
        stage: 'validate',
        detail: { framework: FRAMEWORK, message: `NotAdmin(account=${from})`, data: { admin: info.admin, caller: from } },
      });
    }
    return { app, info };
  }

  private async call(app: AppLocation, fn: string, args: unknown[], signer: Signer, what: string): Promise<AppInfo> {
    await this.d.sender.send({ to: app.address, data: appInterface.encodeFunctionData(fn, args), what }, signer, { wait: 'final' });
    return this.info(app);
  }

  async upgrade(appRef: AppRef, contract: ContractSource, admin: Signer): Promise<AppInfo> {
    const source = checkContractSource(contract, '/contract', { packages: PACKAGE_FORMATS });
    const what = 'upgrading the app';
    const custom = await this.customAsAdmin(appRef, admin, what);
    if (custom) return this.custom.lifecycle.upgrade(custom, source, admin);
    if (source.kind !== 'preset-kv')
      invalidInput('/contract/kind', 'an app created on the preset contract stays on it; an app with its own contract is created with it');
    const { app } = await this.asAdmin(appRef, admin, what);
    const deployed = await this.d.sender.send({ data: artifacts.BsnKvApp.bytecode, what: 'deploying the preset implementation' }, admin, {
      wait: 'final',
    });
    if (!deployed.contractAddress)
      throw toBsnError(new Error('the implementation deployment created no contract'), { stage: 'commit', txId: deployed.transactionHash });
    return this.call(app, 'upgradeTo', [getAddress(deployed.contractAddress)], admin, what);
  }

  async addMember(appRef: AppRef, member: ChainAccount, admin: Signer): Promise<AppInfo> {
    const address = accountAddress(member, '/member');
    const custom = await this.customAsAdmin(appRef, admin, 'adding a member');
    if (custom) return this.custom.lifecycle.setMember(custom, address, true, admin);
    const { app, info } = await this.asAdmin(appRef, admin, 'adding a member');
    if (info.members.includes(address)) return info;
    return this.call(app, 'addMember', [address], admin, 'adding a member');
  }

  async removeMember(appRef: AppRef, member: ChainAccount, admin: Signer): Promise<AppInfo> {
    const address = accountAddress(member, '/member');
    const custom = await this.customAsAdmin(appRef, admin, 'removing a member');
    if (custom) return this.custom.lifecycle.setMember(custom, address, false, admin);
    const { app, info } = await this.asAdmin(appRef, admin, 'removing a member');
    if (!info.members.includes(address)) return info;
    return this.call(app, 'removeMember', [address], admin, 'removing a member');
  }

  async freeze(appRef: AppRef, admin: Signer): Promise<AppInfo> {
    const custom = await this.customAsAdmin(appRef, admin, 'freezing the app');
    if (custom) return this.custom.lifecycle.setFrozen(custom, true, admin);
    const { app, info } = await this.asAdmin(appRef, admin, 'freezing the app');
    return info.state === 'frozen' ? info : this.call(app, 'freeze', [], admin, 'freezing the app');
  }

  async unfreeze(appRef: AppRef, admin: Signer): Promise<AppInfo> {
    const custom = await this.customAsAdmin(appRef, admin, 'unfreezing the app');
    if (custom) return this.custom.lifecycle.setFrozen(custom, false, admin);
    const { app, info } = await this.asAdmin(appRef, admin, 'unfreezing the app');
    return info.state === 'active' ? info : this.call(app, 'unfreeze', [], admin, 'unfreezing the app');
  }
}
