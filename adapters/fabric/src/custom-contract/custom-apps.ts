import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as tcp } from 'node:net';
import {
  ConflictError,
  InvalidInputError,
  UnauthorizedError,
  checkContractSource,
  isBsnError,
  type AppInfo,
  type ContractSource,
  type FabricNodeChaincodePackage,
  type Logger,
  type Signer,
} from '@bsn/contract';
import { accountId } from '../accounts.js';
import type { AppRecord } from '../chaincode-client.js';
import { OrgAdminGateway } from '../channels/chaincode-definition.js';
import { provisioningConfig, type ProvisioningConfig } from '../channels/provisioning-config.js';
import type { ChannelParts, ChannelRouter } from '../channels/router.js';
import type { ResolvedConfig } from '../config.js';
import type { FabricConnection } from '../connection.js';
import { FRAMEWORK } from '../describe.js';
import { checkPublicKey } from '../signer-bridge.js';
import { DEFAULT_CHAINCODE_LIMITS, type ChaincodeLimits } from './chaincode-confinement.js';
import { ChaincodeService } from './chaincode-service.js';
import { baseDefinition, commitVersion, startVersion, type StartedVersion } from './deployment.js';
import { definitionOf, type DefinitionOnChain } from './lifecycle-ops.js';
import { checkDependencies, versionFolder } from './package-folder.js';

/** The package formats an app may bring here. */
export const FABRIC_PACKAGES = ['fabric-chaincode-node'] as const;

/** An app's own chaincode is named by its id: one chaincode per app, a name Fabric accepts whatever the id. */
export const chaincodeNameOf = (appId: string): string => `app-${createHash('sha256').update(appId).digest('hex').slice(0, 24)}`;

/** A custom app as found on the chain: its record (preset chaincode) and its chaincode's committed definition. */
export interface CustomApp {
  appId: string;
  channel: string;
  chaincode: string;
  record: AppRecord;
  definition: DefinitionOnChain;
  parts: ChannelParts;
}

export interface CustomAppsDeps {
  config: ResolvedConfig;
  connection: FabricConnection;
  router: ChannelRouter;
  network: Record<string, unknown>;
  logger: Logger;
  dataDir: string;
  /** How long a new server must stay up after it listens (default 1 s). */
  settleMs?: number;
}

/** What a running version leaves beside its folder, so that a restarted adapter serves it again at the address its package names. */
interface ServiceRecord {
  address: string;
  packageId: string;
}

function portOpen(address: string): Promise<boolean> {
  const i = address.lastIndexOf(':');
  return new Promise((resolve) => {
    const socket = tcp({ host: address.slice(0, i), port: Number(address.slice(i + 1)) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Apps that bring their own chaincode (capability `lifecycle.custom-contract`): each app's
 * package is a chaincode of its own (`chaincodeNameOf`) on the app's channel — its dedicated
 * channel, or the shared one — deployed and upgraded through `_lifecycle` by every org's admin
 * and run as a service by this node, confined (chaincode-confinement.ts). The app's record
 * (admin, members, frozen) stays in the preset chaincode as for every app; the chain tells an
 * app with its own chaincode by that chaincode's committed definition, whose sequence is the
 * app's contract version.
 */
export class CustomApps {
  private readonly services = new Map<string, ChaincodeService>();
  private readonly known = new Map<string, { channel: string }>();
  /** Answers by app id, `at` the time their read began (what their age counts from), `read` its number: a later read's answer wins. */
  private readonly cache = new Map<string, { app: CustomApp; at: number; read: number }>();
  private reads = 0;
  /** By app id, the number of the last read begun before this adapter changed the app's record: its answer is old. */
  private readonly changed = new Map<string, number>();
  /** Reads of the chain under way, by app id: calls arriving meanwhile take that read's answer. */
  private readonly reading = new Map<string, { since: number; read: Promise<CustomApp | undefined> }>();
  private readonly presetUntil = new Map<string, number>();
  private admins: ProvisioningConfig | undefined;

  constructor(private readonly d: CustomAppsDeps) {}

  private get limits(): ChaincodeLimits {
    return this.d.config.customChaincode ?? DEFAULT_CHAINCODE_LIMITS;
  }

  private network(): ProvisioningConfig {
    return (this.admins ??= provisioningConfig(this.d.network, this.d.config.chaincode));
  }

  private deploymentDeps() {
    return { dataDir: this.d.dataDir, limits: this.limits, logger: this.d.logger, settleMs: this.d.settleMs ?? 1_000 };
  }

  /** Whether `appId` was found running its own chaincode (an app's kind never changes). */
  isCustom(appId: string): boolean {
    return this.known.has(appId);
  }

  /** The server of the app's serving version that this adapter runs (tests read its pid and exits). */
  service(appId: string): ChaincodeService | undefined {
    return this.services.get(appId);
  }

  /**
   * The custom app `appId` names, or undefined for a preset app or none. The gateway asks on
   * every call, so answers are kept for a while: a custom app for `maxAgeMs` (its members and
   * frozen flag may change; the lifecycle asks with 0), a preset app for a minute (an app's kind
   * never changes, but an app another node is creating with its own chaincode exists as a record
   * for a moment before its chaincode is committed). An answer past half its age is read
   * again in the background while it still serves, and calls that find none fresh enough
   * share one read begun within their age: 16 writes in flight each read the app's record
   * and definition (two evaluates) every second before, ~9 ms a write on average.
   */
  async find(appId: string, maxAgeMs = 1_000): Promise<CustomApp | undefined> {
    const now = Date.now();
    if ((this.presetUntil.get(appId) ?? 0) > now) return undefined;
    const cached = this.cache.get(appId);
    const reading = this.reading.get(appId);
    if (cached && maxAgeMs > 0 && now - cached.at <= maxAgeMs) {
      // Failures of a read ahead are left to the first call that needs its answer.
      if (!reading && now - cached.at > maxAgeMs / 2) this.readAgain(appId).catch(() => undefined);
      return cached.app;
    }
    if (reading && maxAgeMs > 0 && now - reading.since <= maxAgeMs) return reading.read;
    return this.readAgain(appId);
  }

  /**
   * Drops what is known of the app: this adapter has just changed its record (frozen, members),
   * so the next call reads it again rather than being served the old answer for up to a
   * second; a read begun before the change answers its own callers but is not kept.
   */
  forget(appId: string): void {
    this.cache.delete(appId);
    this.reading.delete(appId);
    this.changed.set(appId, this.reads);
  }

  private readAgain(appId: string): Promise<CustomApp | undefined> {
    const since = Date.now();
    const number = ++this.reads;
    const read = this.read(appId).then((app) => {
      const cached = this.cache.get(appId);
      if ((!cached || cached.read < number) && number > (this.changed.get(appId) ?? 0)) {
        if (app) this.cache.set(appId, { app, at: since, read: number });
        else this.cache.delete(appId);
      }
      return app;
    });
    const entry = { since, read };
    this.reading.set(appId, entry);
    const done = () => {
      if (this.reading.get(appId) === entry) this.reading.delete(appId);
    };
    read.then(done, done);
    return read;
  }

  private async read(appId: string): Promise<CustomApp | undefined> {
    const known = this.known.get(appId);
    let parts: ChannelParts;
    let record: AppRecord;
    try {
      parts = known ? this.d.router.on(known.channel) : await this.d.router.forApp({ appId });
      record = await parts.chaincode.app(appId);
    } catch (error) {
      if (isBsnError(error, 'NOT_FOUND') || isBsnError(error, 'INVALID_INPUT')) return undefined;
      throw error;
    }
    if (record.directory) return undefined;
    const chaincode = chaincodeNameOf(appId);
    const definition = await definitionOf(this.d.connection.service, parts.channel, chaincode);
    if (!definition) {
      this.presetUntil.set(appId, Date.now() + 60_000);
      return undefined;
    }
    this.known.set(appId, { channel: parts.channel });
    const app = { appId, channel: parts.channel, chaincode, record, definition, parts };
    await this.resume(app);
    return app;
  }

  /**
   * Serves the app's committed version when nothing listens at the address its package names
   * (this adapter restarted): from the version folder it wrote, under the same confinement.
   */
  private async resume(app: CustomApp): Promise<void> {
    // A server this adapter started is its supervisor's to restart.
    if (this.services.has(app.appId)) return;
    const folder = versionFolder(this.d.dataDir, app.chaincode, app.definition.sequence);
    const file = `${folder}.service.json`;
    if (!existsSync(file)) return;
    const record = JSON.parse(readFileSync(file, 'utf8')) as ServiceRecord;
    if (await portOpen(record.address)) return;
    const service = new ChaincodeService({
      name: `${app.chaincode} v${app.definition.sequence}`,
      packageDir: folder,
      address: record.address,
      packageId: record.packageId,
      limits: this.limits,
      logFile: `${folder}.log`,
      logger: this.d.logger,
    });
    await service.start();
    this.services.set(app.appId, service);
  }

  private serve(appId: string, chaincode: string, version: StartedVersion): void {
    const folder = versionFolder(this.d.dataDir, chaincode, version.sequence);
    const record: ServiceRecord = { address: version.service.o.address, packageId: version.packageId };
    writeFileSync(`${folder}.service.json`, JSON.stringify(record));
    this.services.set(appId, version.service);
  }

  /** The checked package of a contract source this adapter deploys. */
  static packageOf(contract: ContractSource, field = '/contract'): FabricNodeChaincodePackage {
    const checked = checkContractSource(contract, field, { packages: FABRIC_PACKAGES });
    if (checked.kind !== 'package') throw new InvalidInputError(`${field}/kind: not a package`, { field: `${field}/kind` });
    const pkg = checked.package as FabricNodeChaincodePackage;
    checkDependencies(pkg, `${field}/package`);
    return pkg;
  }

  /**
   * Deploys a new app's chaincode, in this order: its server started and checked (nothing on
   * the chain yet: a chaincode that throws at start is refused here); the app's record made by
   * `createRecord` (the shared channel's createApp, or a dedicated channel); `_lifecycle`
   * sequence 1 by every org. A failure after the record leaves the app without its chaincode;
   * the same create by the same admin completes it.
   */
  async create(appId: string, pkg: FabricNodeChaincodePackage, admin: Signer, createRecord: () => Promise<ChannelParts>): Promise<AppInfo> {
    const chaincode = chaincodeNameOf(appId);
    this.presetUntil.delete(appId);
    if (await this.find(appId, 0))
      throw new ConflictError(`app ${JSON.stringify(appId)} exists already`, { stage: 'validate', field: '/appId' });
    const version = await startVersion(this.deploymentDeps(), chaincode, 1, pkg);
    try {
      const parts = await createRecord();
      const existing = await definitionOf(this.d.connection.service, parts.channel, chaincode);
      if (existing)
        throw new ConflictError(`app ${JSON.stringify(appId)} has its chaincode already`, { stage: 'validate', field: '/appId' });
      const first = new OrgAdminGateway(this.network().orgs[0]!);
      let base: DefinitionOnChain;
      try {
        base = await baseDefinition(first, this.d.config.channel, this.d.config.chaincode);
      } finally {
        first.close();
      }
      await commitVersion({
        network: this.network(),
        channel: parts.channel,
        name: chaincode,
        version,
        base,
        deadline: Date.now() + Math.max(this.d.config.submitTimeoutMs, 120_000),
      });
      this.serve(appId, chaincode, version);
      this.known.set(appId, { channel: parts.channel });
    } catch (error) {
      await version.service.stop();
      throw error;
    } finally {
      this.presetUntil.delete(appId);
    }
    return this.info((await this.find(appId, 0))!);
  }

  /**
   * Moves the app to a new package at sequence + 1, as its admin only. The new server is
   * started and checked first, then every org approves and one commit switches the peers to
   * it; until that commit the old version serves, and a failure anywhere before it leaves the
   * old version serving (the new server is stopped). After it, the old server is stopped.
   */
  async upgrade(app: CustomApp, pkg: FabricNodeChaincodePackage, admin: Signer): Promise<AppInfo> {
    const caller = accountId(this.d.config.org.mspId, checkPublicKey(admin?.publicKey, '/admin/publicKey'));
    if (caller !== app.record.admin) {
      throw new UnauthorizedError(`only the app's admin may upgrade its contract (${app.record.admin}, not ${caller})`, {
        stage: 'validate',
        field: '/admin',
        detail: { framework: FRAMEWORK, data: { admin: app.record.admin, caller } },
      });
    }
    const sequence = app.definition.sequence + 1;
    const version = await startVersion(this.deploymentDeps(), app.chaincode, sequence, pkg);
    try {
      await commitVersion({
        network: this.network(),
        channel: app.channel,
        name: app.chaincode,
        version,
        base: app.definition,
        deadline: Date.now() + Math.max(this.d.config.submitTimeoutMs, 120_000),
      });
    } catch (error) {
      await version.service.stop();
      throw error;
    }
    const old = this.services.get(app.appId);
    this.serve(app.appId, app.chaincode, version);
    await old?.stop();
    return this.info((await this.find(app.appId, 0))!);
  }

  info(app: CustomApp): AppInfo {
    const base = app.parts.chaincode.appInfo(app.record);
    return {
      ...base,
      location: { channel: app.channel, chaincode: app.chaincode },
      contract: { kind: 'package', version: app.definition.sequence },
    };
  }

  /** Stops every chaincode server this adapter runs. */
  async close(): Promise<void> {
    await Promise.all([...this.services.values()].map((s) => s.stop()));
    this.services.clear();
  }
}

/** Where the package of a version lives (tests read it). */
export const packageFolderOf = (dataDir: string, appId: string, sequence: number): string =>
  join(versionFolder(dataDir, chaincodeNameOf(appId), sequence));
