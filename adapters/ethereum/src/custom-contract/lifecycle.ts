import { getAddress, type Interface } from 'ethers';
import { UnauthorizedError, type AppInfo, type AppSpec, type ContractSource, type Signer } from '@bsn/contract';
import { FRAMEWORK } from '../describe.js';
import { invalidInput } from '../validation.js';
import { customAppsInterface } from './contracts.js';
import type { CustomApps, CustomAppState } from './custom-apps.js';
import { deployable } from './deployable.js';
import { customError } from './errors.js';
import type { TxSender } from '../transactions.js';
import type { ResolvedConfig } from '../config.js';

const MODE_CODES: readonly AppSpec['mode'][] = ['consortium', 'private'];
const PLACEMENT_CODES: readonly AppSpec['placement'][] = ['shared', 'dedicated'];

export interface CustomLifecycleDeps {
  config: ResolvedConfig;
  sender: TxSender;
  customApps: CustomApps;
}

/**
 * The lifecycle of apps that bring their own contract: BsnCustomApps deploys the package's
 * code and the app's proxy in one transaction (create), or the new code and the switch to it
 * in one transaction (upgrade), each run first by gas estimation so that a package whose
 * constructor, initializer or migration fails is refused before anything is sent — and were
 * it to fail on chain, the whole transaction reverts: no app, or the old version serving.
 */
export class CustomAppLifecycle {
  constructor(private readonly d: CustomLifecycleDeps) {}

  async create(
    spec: { appId: string; mode: AppSpec['mode']; placement: AppSpec['placement']; members: string[] },
    contract: Extract<ContractSource, { kind: 'package' }>,
    admin: Signer,
  ): Promise<AppInfo> {
    const code = deployable(contract);
    await this.d.customApps.ensureDeployed();
    await this.send(
      'createApp',
      [
        spec.appId,
        [code.creationCode, code.call, new TextEncoder().encode(code.abiJson)],
        spec.members,
        MODE_CODES.indexOf(spec.mode),
        PLACEMENT_CODES.indexOf(spec.placement),
      ],
      admin,
      `creating app ${spec.appId}`,
      [code.abi],
    );
    return this.info(await this.d.customApps.require(spec.appId));
  }

  info(app: CustomAppState): AppInfo {
    return {
      appId: app.appId,
      framework: FRAMEWORK,
      mode: MODE_CODES[app.mode] ?? 'consortium',
      placement: PLACEMENT_CODES[app.placement] ?? 'shared',
      state: app.frozen ? 'frozen' : 'active',
      location: {
        network: this.d.config.name,
        chainId: String(this.d.config.chainId),
        registry: this.d.customApps.address,
        address: app.address,
        implementation: app.implementation,
        createdBlock: String(app.createdBlock),
      },
      contract: { kind: 'package', version: app.version },
      admin: app.admin,
      members: app.members,
    };
  }

  /** The app's state once `signer` is known to be its admin (the registry checks it again). */
  async asAdmin(appId: string, from: string, what: string): Promise<CustomAppState> {
    const app = await this.d.customApps.require(appId);
    if (app.admin !== from)
      throw new UnauthorizedError(`${what}: ${from} is not the admin of ${appId}`, {
        stage: 'validate',
        detail: { framework: FRAMEWORK, message: `NotAdmin(account=${from})`, data: { admin: app.admin, caller: from } },
      });
    return app;
  }

  async upgrade(app: CustomAppState, contract: ContractSource, admin: Signer): Promise<AppInfo> {
    if (contract.kind !== 'package') invalidInput('/contract/kind', 'an app that brings its own contract is upgraded to another package');
    const code = deployable(contract);
    await this.send(
      'upgrade',
      [app.appId, [code.creationCode, code.call, new TextEncoder().encode(code.abiJson)]],
      admin,
      `upgrading ${app.appId}`,
      [code.abi],
    );
    return this.info(await this.d.customApps.require(app.appId));
  }

  async setMember(app: CustomAppState, account: string, add: boolean, admin: Signer): Promise<AppInfo> {
    if (app.members.includes(account) === add) return this.info(app);
    await this.send(
      add ? 'addMember' : 'removeMember',
      [app.appId, getAddress(account)],
      admin,
      add ? 'adding a member' : 'removing a member',
    );
    return this.info(await this.d.customApps.require(app.appId));
  }

  async setFrozen(app: CustomAppState, frozen: boolean, admin: Signer): Promise<AppInfo> {
    if (app.frozen === frozen) return this.info(app);
    await this.send('setFrozen', [app.appId, frozen], admin, frozen ? 'freezing the app' : 'unfreezing the app');
    return this.info(await this.d.customApps.require(app.appId));
  }

  /** `abis`: the package's, so that its constructor's or initializer's revert is named by it. */
  private async send(fn: string, args: unknown[], signer: Signer, what: string, abis: Interface[] = []): Promise<void> {
    this.d.customApps.forget(String(args[0]));
    try {
      await this.d.sender.send({ to: this.d.customApps.address, data: customAppsInterface.encodeFunctionData(fn, args), what }, signer, {
        wait: 'final',
      });
    } catch (error) {
      throw customError(error, abis);
    } finally {
      this.d.customApps.forget(String(args[0]));
    }
  }
}
