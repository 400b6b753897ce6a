import {
  ConflictError,
  InvalidInputError,
  UnauthorizedError,
  checkAppSpec,
  checkContractSource,
  type AppInfo,
  type AppSpec,
  type ContractSource,
  type Signer,
} from '@bsn/contract';
import { checkMember, checkSigner } from '../accounts.js';
import type { ChainContext } from '../chain-context.js';
import { FRAMEWORK } from '../framework.js';
import { accountOf } from '../protocol/account.js';
import type { CustomApps, CustomAppState } from './custom-apps.js';
import { checkCryptoMode, deployable, type Deployable } from './package.js';

const MODES = ['consortium', 'private'] as const;
const PLACEMENTS = ['shared', 'dedicated'] as const;
/** The package formats this adapter deploys. */
export const PACKAGE_FORMATS = ['fisco-bcos-evm'] as const;

/**
 * The lifecycle of apps that bring their own contract. The package's code is deployed by a
 * transaction of its own with its ABI (FISCO keeps it: getABI), then BsnCustomApps makes the
 * app — its proxy, the initializer run through it — in one transaction (`createApp`), or
 * switches the proxy to the new code and runs the migration in one transaction (`upgrade`): a
 * failing initializer leaves no app, a failing migration the old version serving. A code
 * deployed for a create or upgrade that then fails serves no app and holds no app state.
 * Every change is the admin's, checked here before anything is sent and again by the registry.
 */
export class CustomAppLifecycle {
  constructor(
    private readonly c: ChainContext,
    private readonly apps: CustomApps,
  ) {}

  async create(spec: AppSpec, admin: Signer): Promise<AppInfo> {
    checkSigner(this.c.suite, admin, '/admin');
    checkCryptoMode((spec as Partial<AppSpec> | null)?.contract, this.c.suite);
    const checked = checkAppSpec(spec, FRAMEWORK, (m, field) => checkMember(this.c.suite, m, field), { packages: [...PACKAGE_FORMATS] });
    const code = deployable(checked.contract as Extract<ContractSource, { kind: 'package' }>, this.c.suite);
    if ((await this.c.apps.find(checked.appId)) || (await this.apps.state(checked.appId)))
      throw new ConflictError(`app ${JSON.stringify(checked.appId)} exists already`, { field: '/appId', stage: 'validate' });
    const what = `creating app ${checked.appId}`;
    const implementation = await this.deploy(code, admin, what);
    const members = Buffer.concat(checked.members.map((m) => Buffer.from(m.slice(2), 'hex')));
    const kind = MODES.indexOf(checked.mode) | (PLACEMENTS.indexOf(checked.placement) << 4);
    await this.send('createApp', [checked.appId, members, kind, implementation, code.call], admin, what, [code.abi]);
    return this.info(await this.apps.require(checked.appId, '/appId'));
  }

  info(app: CustomAppState): AppInfo {
    return {
      appId: app.appId,
      framework: FRAMEWORK,
      mode: MODES[app.kind & 0x0f] ?? 'consortium',
      placement: PLACEMENTS[app.kind >> 4] ?? 'shared',
      state: app.frozen ? 'frozen' : 'active',
      location: {
        network: this.c.config.name,
        chainId: this.c.config.chainId,
        groupId: this.c.config.groupId,
        crypto: this.c.suite.mode,
        address: app.address,
        implementation: app.implementation,
        registry: this.apps.address,
        createdBlock: String(app.createdBlock),
      },
      contract: { kind: 'package', version: app.version },
      admin: app.admin,
      members: app.members,
    };
  }

  async upgrade(app: CustomAppState, contract: ContractSource, admin: Signer): Promise<AppInfo> {
    checkCryptoMode(contract, this.c.suite);
    const source = checkContractSource(contract, '/contract', { packages: [...PACKAGE_FORMATS] });
    if (source.kind !== 'package')
      throw new InvalidInputError('/contract/kind: an app that brings its own contract is upgraded to another package', {
        field: '/contract/kind',
      });
    const code = deployable(source, this.c.suite);
    this.asAdmin(app, admin, `upgrading ${app.appId}`);
    const what = `upgrading ${app.appId}`;
    const implementation = await this.deploy(code, admin, what);
    await this.send('upgrade', [app.appId, implementation, code.call], admin, what, [code.abi, ...(await this.apps.versions(app))]);
    return this.info(await this.apps.require(app.appId));
  }

  async setMember(app: CustomAppState, account: string, add: boolean, admin: Signer): Promise<AppInfo> {
    this.asAdmin(app, admin, add ? 'adding a member' : 'removing a member');
    if (app.members.includes(account) === add) return this.info(app);
    await this.send(add ? 'addMember' : 'removeMember', [app.appId, account], admin, `${add ? 'adding' : 'removing'} ${account}`);
    return this.info(await this.apps.require(app.appId));
  }

  async setFrozen(app: CustomAppState, frozen: boolean, admin: Signer): Promise<AppInfo> {
    this.asAdmin(app, admin, frozen ? 'freezing the app' : 'unfreezing the app');
    if (app.frozen === frozen) return this.info(app);
    await this.send('setFrozen', [app.appId, frozen], admin, frozen ? `freezing ${app.appId}` : `unfreezing ${app.appId}`);
    return this.info(await this.apps.require(app.appId));
  }

  /** Refuses anyone but the app's admin before anything is sent. */
  asAdmin(app: CustomAppState, admin: Signer, what: string): void {
    checkSigner(this.c.suite, admin, '/admin');
    const account = accountOf(this.c.suite, admin.publicKey);
    if (account !== app.admin)
      throw new UnauthorizedError(`${what}: ${account} is not the admin of ${app.appId}`, {
        stage: 'validate',
        detail: { framework: FRAMEWORK, message: `NotAdmin(account=${account})`, data: { admin: app.admin, caller: account } },
      });
  }

  /** Deploys the package's code with its ABI; a constructor that fails is the chain's refusal, typed. */
  private async deploy(code: Deployable, signer: Signer, what: string): Promise<string> {
    const deploying = `${what}: deploying the package's code`;
    const receipt = this.apps.check(
      await this.c.txs.signAndSend('', code.creationCode, signer, deploying, Date.now() + this.c.config.submitTimeoutMs, code.abiJson),
      { what: deploying },
      [code.abi],
    );
    if (!receipt.contractAddress || /^0x0{40}$/.test(receipt.contractAddress))
      throw new InvalidInputError(`${deploying}: the creation code deployed no contract`, {
        field: '/contract/package/bytecode',
        stage: 'commit',
        txId: receipt.transactionHash,
      });
    return receipt.contractAddress.toLowerCase();
  }

  /**
   * Sends a change of the app `args[0]` names (every registry call names it first). The kept
   * record is dropped even when the send fails — a transaction that timed out may still land —
   * so the gateway's next call acts on the record as it now is.
   */
  private async send(fn: string, args: unknown[], signer: Signer, what: string, abis: Deployable['abi'][] = []): Promise<void> {
    try {
      const receipt = await this.c.txs.signAndSend(
        this.apps.address,
        this.apps.abi.encode(fn, args),
        signer,
        what,
        Date.now() + this.c.config.submitTimeoutMs,
      );
      this.apps.check(receipt, { what }, abis);
    } finally {
      this.apps.forget(String(args[0]));
    }
  }
}
