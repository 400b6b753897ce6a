import { getAddress, getBytes, isAddress, isHexString } from 'ethers';
import { ConflictError, InvalidInputError, NotFoundError, UnauthorizedError, isBsnError, type AppInfo, type AppLifecycle, type AppRef, type AppSpec, type ChainAccount, type ContractSource, type Signer } from '@bsn/contract';
import { appInterface, artifacts } from './abi.js';
import type { ChainReader } from './chain.js';
import type { ResolvedConfig } from './config.js';
import { FRAMEWORK, toBsnError } from './errors.js';
import type { Finality } from './finality.js';
import type { AppLocation, Registry } from './registry.js';
import { ACCOUNT_ALGORITHM, addressOf, checkAlgorithm } from './signer-bridge.js';
import type { TxSender } from './transactions.js';
import { checkAppId, checkAppRef } from './validation.js';

const MODES = ['consortium', 'private'] as const;
const PLACEMENTS = ['shared', 'dedicated'] as const;

function invalid(field: string, message: string): never {
  throw new InvalidInputError(message, { field });
}

/** The address of a ChainAccount, checking that its parts agree (id, public key, algorithm, framework). */
export function accountAddress(account: unknown, field: string): string {
  if (typeof account !== 'object' || account === null) invalid(field, 'an account is a ChainAccount object');
  const a = account as Partial<ChainAccount>;
  if (a.framework !== undefined && a.framework !== FRAMEWORK) invalid(`${field}/framework`, `an account of framework ${JSON.stringify(a.framework)} cannot join an Ethereum app`);
  if (a.algorithm !== undefined && a.algorithm !== ACCOUNT_ALGORITHM) invalid(`${field}/algorithm`, 'Ethereum accounts are secp256k1');
  if (typeof a.id !== 'string' || !isAddress(a.id)) invalid(`${field}/id`, 'an Ethereum account id is a 20-byte hex address');
  const address = getAddress(a.id);
  if (a.publicKey !== undefined && a.publicKey !== '') {
    const hex = typeof a.publicKey === 'string' ? (a.publicKey.startsWith('0x') ? a.publicKey : `0x${a.publicKey}`) : '';
    if (!isHexString(hex)) invalid(`${field}/publicKey`, 'a public key is hex');
    if (addressOf(getBytes(hex), `${field}/publicKey`) !== address) invalid(`${field}/publicKey`, `the public key is not the key of ${address}`);
  }
  return address;
}

function checkContract(contract: unknown, field = '/contract'): ContractSource {
  if (typeof contract !== 'object' || contract === null) invalid(field, 'a contract is { kind: "preset-kv" }');
  const kind = (contract as ContractSource).kind;
  if (kind === 'custom') invalid(`${field}/kind`, 'this adapter version runs only the preset key/value contract ("preset-kv")');
  if (kind !== 'preset-kv') invalid(`${field}/kind`, 'a contract kind is "preset-kv" or "custom"');
  return contract as ContractSource;
}

export interface LifecycleDeps {
  config: ResolvedConfig;
  chain: ChainReader;
  finality: Finality;
  sender: TxSender;
  registry: Registry;
}

/**
 * Apps as contracts: each app is a BsnAppProxy created by the registry in one transaction
 * (so a refused create leaves nothing behind), running BsnKvApp. Every change is sent by
 * the admin's key and returns once final; preconditions the contract enforces (admin only,
 * app exists) are also checked first so that no doomed transaction or code deployment is
 * paid for, and requests that change nothing (adding a member twice) send nothing.
 */
export class EthereumLifecycle implements AppLifecycle {
  constructor(private readonly d: LifecycleDeps) {}

  async create(spec: AppSpec, admin: Signer): Promise<AppInfo> {
    if (typeof spec !== 'object' || spec === null) invalid('', 'an app spec is an object');
    const appId = checkAppId(spec.appId);
    if (typeof spec.name !== 'string') invalid('/name', 'an app name is a string');
    if (spec.framework !== FRAMEWORK) invalid('/framework', `this adapter creates ${FRAMEWORK} apps, not ${JSON.stringify(spec.framework)}`);
    const mode = MODES.indexOf(spec.mode as (typeof MODES)[number]);
    if (mode < 0) invalid('/mode', `mode is one of ${MODES.join(', ')}`);
    const placement = PLACEMENTS.indexOf(spec.placement as (typeof PLACEMENTS)[number]);
    if (placement < 0) invalid('/placement', `placement is one of ${PLACEMENTS.join(', ')}`);
    checkContract(spec.contract);
    if (!Array.isArray(spec.members)) invalid('/members', 'members is an array of ChainAccounts');
    const members = spec.members.map((m, i) => accountAddress(m, `/members/${i}`));
    checkAlgorithm(admin?.algorithm, '/admin/algorithm');
    addressOf(admin.publicKey, '/admin/publicKey');

    const exists = await this.d.registry.resolve(appId).then(() => true, (e: unknown) => {
      if (isBsnError(e, 'NOT_FOUND')) return false;
      throw e;
    });
    if (exists) throw new ConflictError(`app ${JSON.stringify(appId)} exists already`, { stage: 'validate', field: '/appId', detail: { framework: FRAMEWORK, data: { appId } } });
    await this.d.sender.send(
      { to: this.d.registry.address, data: this.d.registry.encodeCreate(appId, members, mode, placement), what: `creating app ${appId}` },
      admin,
      { wait: 'final' },
    );
    return this.get({ appId });
  }

  async get(appRef: AppRef): Promise<AppInfo> {
    const app = await this.d.registry.resolve(checkAppRef(appRef));
    return this.info(app);
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
      mode: MODES[Number(mode)] ?? 'consortium',
      placement: PLACEMENTS[Number(placement)] ?? 'shared',
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
    checkAlgorithm(signer?.algorithm, '/admin/algorithm');
    const from = addressOf(signer.publicKey, '/admin/publicKey');
    const app = await this.d.registry.resolve(appId);
    const info = await this.info(app);
    if (info.admin !== from) {
      throw new UnauthorizedError(`${what}: ${from} is not the admin of ${appId}`, {
        stage: 'validate', detail: { framework: FRAMEWORK, message: `NotAdmin(account=${from})`, data: { admin: info.admin, caller: from } },
      });
    }
    return { app, info };
  }

  private async call(app: AppLocation, fn: string, args: unknown[], signer: Signer, what: string): Promise<AppInfo> {
    await this.d.sender.send({ to: app.address, data: appInterface.encodeFunctionData(fn, args), what }, signer, { wait: 'final' });
    return this.info(app);
  }

  async upgrade(appRef: AppRef, contract: ContractSource, admin: Signer): Promise<AppInfo> {
    checkContract(contract);
    const what = 'upgrading the app';
    const { app } = await this.asAdmin(appRef, admin, what);
    const deployed = await this.d.sender.send({ data: artifacts.BsnKvApp.bytecode, what: 'deploying the preset implementation' }, admin, { wait: 'final' });
    if (!deployed.contractAddress) throw toBsnError(new Error('the implementation deployment created no contract'), { stage: 'commit', txId: deployed.transactionHash });
    return this.call(app, 'upgradeTo', [getAddress(deployed.contractAddress)], admin, what);
  }

  async addMember(appRef: AppRef, member: ChainAccount, admin: Signer): Promise<AppInfo> {
    const address = accountAddress(member, '/member');
    const { app, info } = await this.asAdmin(appRef, admin, 'adding a member');
    if (info.members.includes(address)) return info;
    return this.call(app, 'addMember', [address], admin, 'adding a member');
  }

  async removeMember(appRef: AppRef, member: ChainAccount, admin: Signer): Promise<AppInfo> {
    const address = accountAddress(member, '/member');
    const { app, info } = await this.asAdmin(appRef, admin, 'removing a member');
    if (!info.members.includes(address)) return info;
    return this.call(app, 'removeMember', [address], admin, 'removing a member');
  }

  async freeze(appRef: AppRef, admin: Signer): Promise<AppInfo> {
    const { app, info } = await this.asAdmin(appRef, admin, 'freezing the app');
    return info.state === 'frozen' ? info : this.call(app, 'freeze', [], admin, 'freezing the app');
  }

  async unfreeze(appRef: AppRef, admin: Signer): Promise<AppInfo> {
    const { app, info } = await this.asAdmin(appRef, admin, 'unfreezing the app');
    return info.state === 'active' ? info : this.call(app, 'unfreeze', [], admin, 'unfreezing the app');
  }
}
