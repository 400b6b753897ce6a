import {
  ConflictError,
  InvalidInputError,
  NotFoundError,
  checkAppSpec,
  checkContractSource,
  isBsnError,
  type AppInfo,
  type AppLifecycle,
  type AppRef,
  type AppSpec,
  type ChainAccount,
  type CheckedAppSpec,
  type ContractSource,
  type Logger,
  type Signer,
} from '@bsn/contract';
import { accountId } from './accounts.js';
import { CustomApps, FABRIC_PACKAGES } from './custom-contract/custom-apps.js';
import type { CustomGateway } from './custom-contract/custom-gateway.js';
import type { AppRecord } from './chaincode-client.js';
import { dedicatedChannelName } from './channels/names.js';
import { provisionChannel, type ProvisionReport } from './channels/provision.js';
import { provisioningConfig } from './channels/provisioning-config.js';
import type { ChannelParts, ChannelRouter } from './channels/router.js';
import type { ResolvedConfig } from './config.js';
import type { FabricConnection } from './connection.js';
import { FRAMEWORK } from './describe.js';
import { channelSettling } from './peer-messages.js';
import { checkPublicKey } from './signer-bridge.js';
import { checkAppRef, checkMember } from './validation.js';

export interface LifecycleDeps {
  config: ResolvedConfig;
  connection: FabricConnection;
  router: ChannelRouter;
  /** The network config as given: admin material is read from it only when a channel is created. */
  network: Record<string, unknown>;
  logger: Logger;
  /** Apps that bring their own chaincode (custom-contract/), and their gateway (for an initializer). */
  custom: CustomApps;
  customGateway: CustomGateway;
}

/** A fresh channel's first writes wait out its gateway peers' discovery catching up. */
const settling = (error: unknown): boolean =>
  isBsnError(error) && error.code !== 'NOT_FOUND' && channelSettling(`${error.message} ${JSON.stringify(error.detail ?? {})}`);

/** What the chaincode's `createApp` takes. */
type ChainSpec = Omit<CheckedAppSpec, 'contract'>;

/**
 * Apps (BSN "channels") as namespaces of the preset chaincode: the app record (admin,
 * members, frozen flag, contract version) lives in world state under `a/<appId>` and every
 * write checks it in the same transaction. A shared app is one `createApp` on the shared
 * channel. A dedicated app gets a channel of its own with the preset chaincode on it (see
 * `createDedicated`), and its record lives there; every later operation goes to the app's
 * channel through the router. `upgrade` bumps the app's contract version in its record: the
 * code is the preset chaincode (a new chaincode version is a network operation, not an app's).
 */
export class FabricLifecycle implements AppLifecycle {
  /** The last dedicated create's provisioning, with step timings (tests and logs read it). */
  lastProvision: ProvisionReport | undefined;

  constructor(private readonly d: LifecycleDeps) {}

  private async record(parts: ChannelParts, signer: Signer, fn: string, args: string[], what: string): Promise<AppRecord> {
    const gateway = await this.d.connection.gatewayFor(signer, '/admin');
    try {
      const committed = await parts.transactor.transact(gateway, fn, args, { what, deadline: Date.now() + this.d.config.submitTimeoutMs });
      return JSON.parse(Buffer.from(committed.result).toString('utf8')) as AppRecord;
    } finally {
      gateway.close();
    }
  }

  private async write(parts: ChannelParts, signer: Signer, fn: string, args: string[], what: string): Promise<AppInfo> {
    return parts.chaincode.appInfo(await this.record(parts, signer, fn, args, what));
  }

  async create(spec: AppSpec, admin: Signer): Promise<AppInfo> {
    const { appId, name, mode, placement, members, contract } = checkAppSpec(spec, FRAMEWORK, checkMember, { packages: FABRIC_PACKAGES });
    const chainSpec: ChainSpec = { appId, name, mode, placement, members };
    if (contract.kind === 'package') {
      const pkg = CustomApps.packageOf(contract);
      const info = await this.d.custom.create(appId, pkg, admin, async () => {
        if (placement === 'dedicated') {
          await this.createDedicated(chainSpec, admin);
          return this.d.router.forApp({ appId });
        }
        await this.createShared(chainSpec, admin, true);
        return this.d.router.shared;
      });
      // The initializer is the app's first transaction, by its admin. Fabric commits a definition
      // without calling anything, so it runs after: if it fails, the app is there and its admin
      // can call it again like any method.
      if (contract.call) {
        const app = (await this.d.custom.find(appId, 0))!;
        await this.d.customGateway.submit(
          app,
          { app: { appId }, method: contract.call.method, args: contract.call.args, requestId: `init-${appId}` },
          admin,
        );
      }
      return info;
    }
    if (placement === 'dedicated') return this.createDedicated(chainSpec, admin);
    return this.createShared(chainSpec, admin, false);
  }

  /**
   * A shared app's record. For an app with its own chaincode (`resume`), a record its admin
   * made by a create that failed before its chaincode was committed is taken as made.
   */
  private async createShared(chainSpec: ChainSpec, admin: Signer, resume: boolean): Promise<AppInfo> {
    const { appId } = chainSpec;
    if (resume) {
      const existing = await this.d.router.shared.chaincode.findApp(appId);
      const caller = accountId(this.d.config.org.mspId, checkPublicKey(admin?.publicKey, '/admin/publicKey'));
      if (existing && !existing.directory && existing.admin === caller) {
        this.d.router.remember(appId, this.d.config.channel);
        return this.d.router.shared.chaincode.appInfo(existing);
      }
    }
    const info = await this.write(this.d.router.shared, admin, 'createApp', [JSON.stringify(chainSpec)], `creating app ${appId}`);
    this.d.router.remember(appId, this.d.config.channel);
    return info;
  }

  /**
   * A dedicated app, in this order:
   *
   * 1. refusals that need nothing written: the spec (above), the network config's admin
   *    material (UNAVAILABLE naming the field), an app id taken on the shared channel — by a
   *    shared app, by another admin's reservation, or by a dedicated app whose record exists
   *    on its channel (CONFLICT);
   * 2. the reservation: the shared channel's directory entry `a/<appId>` → `{placement:
   *    'dedicated', channel, admin, directory: true}` (`createApp` there; the chaincode keeps
   *    only the entry, and refuses every app operation on it). From here the id is taken;
   * 3. the channel (channels/provision.ts: block 0, orderer, peers, chaincode definition);
   * 4. the app record on its own channel (`createApp` there, the admin and members).
   *
   * A failure after 2 leaves a reservation and maybe a channel without the app: the app does
   * not exist for anybody (`get` is NOT_FOUND, writes are refused), and the same create by
   * the same admin completes it — every step of 3 is idempotent and 4 runs once. Nothing is
   * ever undone: a channel cannot be removed from the peers, and an id once reserved stays
   * with the admin who reserved it.
   */
  private async createDedicated(chainSpec: ChainSpec, admin: Signer): Promise<AppInfo> {
    const { appId } = chainSpec;
    const shared = this.d.router.shared;
    const network = provisioningConfig(this.d.network, this.d.config.chaincode);
    const channel = dedicatedChannelName(appId);
    const adminAccount = accountId(this.d.config.org.mspId, checkPublicKey(admin?.publicKey, '/admin/publicKey'));
    const deadline = Date.now() + Math.max(this.d.config.submitTimeoutMs, 120_000);

    const entry = await shared.chaincode.findApp(appId);
    if (entry && !entry.directory)
      throw new ConflictError(`app ${JSON.stringify(appId)} exists already (on ${entry.channel ?? this.d.config.channel})`, {
        stage: 'validate',
        field: '/appId',
      });
    if (entry && entry.admin !== adminAccount) {
      throw new ConflictError(`app id ${JSON.stringify(appId)} is reserved by another admin (${entry.admin})`, {
        stage: 'validate',
        field: '/appId',
      });
    }
    if (entry && (await this.d.router.recordOn(entry.channel!, appId))) {
      throw new ConflictError(`app ${JSON.stringify(appId)} exists already on its channel ${entry.channel}`, {
        stage: 'validate',
        field: '/appId',
      });
    }
    if (!entry) {
      await this.record(
        shared,
        admin,
        'createApp',
        [JSON.stringify({ ...chainSpec, channel })],
        `reserving app id ${appId} for channel ${channel}`,
      );
    }
    const target = entry?.channel ?? channel;
    this.lastProvision = await provisionChannel({
      sharedChannel: this.d.config.channel,
      chaincode: this.d.config.chaincode,
      channel: target,
      network,
      deadline,
      logger: this.d.logger,
    });
    const parts = this.d.router.on(target);
    for (let wait = 250; ; wait = Math.min(wait * 2, 2_000)) {
      try {
        const info = await this.write(
          parts,
          admin,
          'createApp',
          [JSON.stringify({ ...chainSpec, channel: target })],
          `creating app ${appId} on ${target}`,
        );
        // Only now is the app there: until then the router sends it to its reservation (NOT_FOUND).
        this.d.router.remember(appId, target);
        return info;
      } catch (error) {
        if (!settling(error) || Date.now() + wait >= deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  async get(app: AppRef): Promise<AppInfo> {
    const appId = checkAppRef(app);
    const custom = await this.d.custom.find(appId, 0);
    if (custom) return this.d.custom.info(custom);
    const parts = await this.d.router.forApp(app);
    const record = await parts.chaincode.app(appId);
    if (record.directory)
      throw new NotFoundError(`app ${JSON.stringify(appId)} does not exist (its id is reserved for ${record.channel})`, { stage: 'query' });
    return parts.chaincode.appInfo(record);
  }

  private async change(
    app: AppRef,
    admin: Signer,
    fn: string,
    args: (appId: string) => string[],
    what: (appId: string) => string,
  ): Promise<AppInfo> {
    const appId = checkAppRef(app);
    const parts = await this.d.router.forApp(app);
    try {
      return await this.write(parts, admin, fn, args(appId), what(appId));
    } finally {
      // An app with its own chaincode is checked against its record by the adapter: the change holds from the next call.
      this.d.custom.forget(appId);
    }
  }

  /**
   * An app with its own chaincode moves to a new package through `_lifecycle` (custom-apps.ts);
   * a preset app's upgrade bumps its contract version in its record. Neither becomes the other.
   */
  async upgrade(app: AppRef, contract: ContractSource, admin: Signer): Promise<AppInfo> {
    const appId = checkAppRef(app);
    const { kind } = checkContractSource(contract, '/contract', { packages: FABRIC_PACKAGES });
    const custom = await this.d.custom.find(appId, 0);
    if (custom) {
      if (kind !== 'package')
        throw new InvalidInputError(`/contract/kind: app ${appId} runs its own chaincode; it is upgraded with a package`, {
          field: '/contract/kind',
        });
      if ((contract as { call?: unknown }).call !== undefined)
        throw new InvalidInputError(
          '/contract/call: a Fabric upgrade cannot run a migration in the transaction that switches the code (the commit of a definition calls nothing); migrate in the new version itself',
          { field: '/contract/call' },
        );
      return this.d.custom.upgrade(custom, CustomApps.packageOf(contract), admin);
    }
    if (kind === 'package')
      throw new InvalidInputError(`/contract/kind: app ${appId} runs the preset contract, which a package cannot replace`, {
        field: '/contract/kind',
      });
    return this.change(
      app,
      admin,
      'upgradeApp',
      (id) => [id, kind],
      (id) => `upgrading app ${id}`,
    );
  }

  async addMember(app: AppRef, member: ChainAccount, admin: Signer): Promise<AppInfo> {
    checkAppRef(app);
    const account = checkMember(member, '/member');
    return this.change(
      app,
      admin,
      'addMember',
      (id) => [id, account],
      (id) => `adding a member to ${id}`,
    );
  }

  async removeMember(app: AppRef, member: ChainAccount, admin: Signer): Promise<AppInfo> {
    checkAppRef(app);
    const account = checkMember(member, '/member');
    return this.change(
      app,
      admin,
      'removeMember',
      (id) => [id, account],
      (id) => `removing a member from ${id}`,
    );
  }

  async freeze(app: AppRef, admin: Signer): Promise<AppInfo> {
    return this.change(
      app,
      admin,
      'freeze',
      (id) => [id],
      (id) => `freezing ${id}`,
    );
  }

  async unfreeze(app: AppRef, admin: Signer): Promise<AppInfo> {
    return this.change(
      app,
      admin,
      'unfreeze',
      (id) => [id],
      (id) => `unfreezing ${id}`,
    );
  }
}
