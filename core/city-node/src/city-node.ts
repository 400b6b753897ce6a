/**
 * A running city node: registry, keys, plugins loaded through the PluginHost (refusing
 * uncertified ones unless in development mode), one adapter per configured network
 * (devnets started on demand), and the REST and gRPC gateways over one GatewayService.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { AdapterContext, Logger, NetworkConfig, StartedDevnet } from '@bsn/contract';
import { isBsnError } from '@bsn/contract';
import {
  PluginRefusedError,
  PluginHost,
  type LoadedPlugin,
  type TrustedCertifier,
  loadIsolated,
  loadTrustedCertifiers,
  pluginDevnet,
} from '@bsn/plugin-host';
import { Authenticator } from './auth/authenticator.js';
import type { NodeConfig, PluginEntry } from './config.js';
import { startGrpcServer, type GrpcGateway } from './grpc/server.js';
import { NodeKeys } from './keys.js';
import { Metering } from './metering.js';
import { Networks, type ConnectedNetwork } from './networks.js';
import { openPluginTrust, type PluginTrust } from './plugin-trust.js';
import { openPostgresRegistry } from './registry/postgres.js';
import type { Grant, Registry } from './registry/registry.js';
import { InterchainNode } from './interchain/interchain-node.js';
import { openSqliteRegistry } from './registry/sqlite.js';
import type { SqlDriver as SqlRegistryDriver } from './registry/sql-registry.js';
import { buildRestServer } from './rest/server.js';
import { GatewayService } from './gateway-service.js';
import { readConformanceSummary } from './conformance-summary.js';
import type { PluginStatus } from './plugin-status.js';
import { registerUi } from './rest/ui-routes.js';

/** A devnet started for a network. */
export type StartedChain = Pick<StartedDevnet, 'node' | 'network' | 'stop'>;

/** Starts the devnet a plugin (in `pluginFolder`) contributes under `devnet`. */
export type DevnetStarter = (pluginFolder: string, devnet: string, progress: (line: string) => void) => Promise<StartedChain>;

/** Starts a plugin's own devnet (its manifest's `devnets` module), once it answers. */
export const startPluginDevnet: DevnetStarter = async (pluginFolder, name, progress) => {
  const devnet = await pluginDevnet(pluginFolder, name);
  const availability = await devnet.available();
  if (!availability.ok) throw new Error(`devnet ${name} is unavailable: ${availability.reason}`);
  const started = Date.now();
  const running = await devnet.start();
  progress(`devnet ${name}: ${running.node} started in ${Date.now() - started} ms`);
  return running;
};

export interface StartOptions {
  config: NodeConfig;
  passphrase: string;
  /** Development mode: load uncertified plugins with a loud warning. */
  dev?: boolean;
  logger?: Logger;
  /** Progress lines for a person watching the start (stderr in the CLI). */
  progress?: (line: string) => void;
  /** Starts `devnet:` networks. Default: the plugin's own devnets (`startPluginDevnet`). */
  devnets?: DevnetStarter;
  /** Networks connected by the caller (tests), besides the configured ones. */
  networks?: ConnectedNetwork[];
  /** The installed conformance kit's suite version: certificates of its major are required unless `trust.suites.current` says otherwise. */
  suiteVersion?: string;
}

/** A configured plugin as loaded or refused (also what the operator page shows). */
export type PluginLoadReport = PluginStatus;

export const consoleLogger = (write: (line: string) => void = (l) => process.stderr.write(`${l}\n`), debug = false): Logger => {
  const fmt = (level: string, message: string, fields?: Record<string, unknown>) =>
    write(
      `${new Date().toISOString()} ${level.padEnd(5)} ${message}${fields && Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : ''}`,
    );
  return {
    debug: (m, f) => debug && fmt('debug', m, f),
    info: (m, f) => fmt('info', m, f),
    warn: (m, f) => fmt('warn', m, f),
    error: (m, f) => fmt('error', m, f),
  };
};

async function openRegistry(config: NodeConfig): Promise<Registry> {
  if (config.registry.kind === 'postgres') return openPostgresRegistry(config.registry.url!);
  return openSqliteRegistry(config.registry.path);
}

export class CityNode {
  restUrl = '';
  grpcAddress = '';
  private pruneTimer?: NodeJS.Timeout;
  private stopped = false;
  private trust?: PluginTrust;
  /** The interchain API and relayer (absent on a registry without SQL tables of its own). */
  interchain?: InterchainNode;

  private constructor(
    readonly config: NodeConfig,
    readonly registry: Registry,
    readonly keys: NodeKeys,
    readonly networks: Networks,
    readonly service: GatewayService,
    readonly rest: FastifyInstance,
    readonly plugins: PluginLoadReport[],
    private readonly log: Logger,
    public grpc?: GrpcGateway,
  ) {}

  static async start(o: StartOptions): Promise<CityNode> {
    const { config } = o;
    const log = o.logger ?? consoleLogger();
    const progress = o.progress ?? ((line: string) => log.info(line));
    await mkdir(config.node.dataDir, { recursive: true });
    const registry = await openRegistry(config);
    const networks = new Networks();
    try {
      progress(`registry: ${config.registry.kind}${config.registry.kind === 'sqlite' ? ` ${config.registry.path}` : ''}`);
      const keys = await NodeKeys.open(config.keys.nodeKey, o.passphrase, { scryptN: config.keys.scryptN, nodeName: config.node.name });
      progress(`node key ${keys.responseSigner.key.keyId}`);
      await seedPortals(config, registry, keys, log);

      const trusted = await loadTrustedCertifiers(config.trust.certifiers);
      const trust = await openPluginTrust(config, trusted, log);
      const { reports: plugins, loaded } = await loadPlugins(o, { trusted, trust }, networks, log, progress);
      // A devnet the node started is a fresh chain: apps registered on an earlier one are gone.
      for (const n of networks.all()) {
        if (n.origin.kind !== 'devnet') continue;
        const gone = await registry.removeAppsOnNetwork(n.name);
        if (gone.length)
          log.warn(`network ${n.name} is a fresh devnet: forgot ${gone.length} app(s) registered on its previous run (${gone.join(', ')})`);
      }
      for (const n of o.networks ?? []) networks.add(n);
      // The node's own chain account administers the apps it creates: fund it on dev networks.
      for (const n of networks.all()) {
        try {
          await n.adapter.identity.provision(keys.chainSigner(n.framework, n.accountAlgorithm));
        } catch (err) {
          log.warn(`network ${n.name}: cannot provision the node's chain account`, { error: (err as Error).message });
        }
      }

      const metering = new Metering(registry, config.limits.tpsWindowMs, { logger: log });
      const interchain = await openInterchain(config, registry, networks, keys, log, o.dev ?? false);
      const service = new GatewayService({
        ...(interchain && { onGrantChange: (g: Grant) => interchain.grants.sync(g), interchainCalls: interchain.calls }),
        registry,
        networks,
        keys,
        metering,
        nodeName: config.node.name,
        logger: log,
        plugins: () => plugins,
      });
      const auth = new Authenticator(registry, { clockSkewMs: config.limits.clockSkewMs });
      const rest = await buildRestServer({
        service,
        auth,
        signer: keys.responseSigner,
        bodyLimit: config.limits.bodyBytes,
        logger: log,
        ...(interchain && { interchain }),
      });
      if (config.ui.enabled) await registerUi(rest, config.ui.dir, log);
      const node = new CityNode(config, registry, keys, networks, service, rest, plugins, log);
      node.trust = trust;
      node.interchain = interchain;
      trust.watch(loaded, networks, metering.prometheus);
      const address = await rest.listen({ host: config.listen.host, port: config.listen.restPort });
      node.restUrl = address.replace('[::1]', '127.0.0.1');
      if (config.listen.grpc) {
        node.grpc = await startGrpcServer({
          service,
          auth,
          signer: keys.responseSigner,
          bodyLimit: config.limits.bodyBytes,
          host: config.listen.host,
          port: config.listen.grpcPort,
          logger: log,
        });
        node.grpcAddress = node.grpc.address;
      }
      interchain?.start();
      node.pruneTimer = setInterval(() => {
        registry
          .pruneNonces(Date.now() - 1000)
          .catch((err: unknown) => log.warn('nonce pruning failed', { error: (err as Error).message }));
      }, 60_000);
      node.pruneTimer.unref();
      log.info(`city node ${config.node.name} serving`, {
        rest: node.restUrl,
        grpc: node.grpcAddress || 'off',
        networks: networks.all().map((n) => n.name),
      });
      return node;
    } catch (err) {
      await networks.closeAll();
      await registry.close().catch(() => {});
      throw err;
    }
  }

  /**
   * Leaves the fleet and stops, within `shutdown.deadlineMs`: `/readyz` fails and event streams
   * end with `node-stopping` at once; after `drainDelayMs` the gateways stop accepting and let
   * requests in flight finish; then adapters, devnets the node started and the registry close.
   * Whatever is still open at the deadline is closed by force. Idempotent.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const { drainDelayMs, deadlineMs } = this.config.shutdown;
    const deadline = Date.now() + deadlineMs;
    const left = () => Math.max(0, deadline - Date.now());
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.trust?.stop();
    await this.interchain?.stop();
    this.service.drain.start();
    if (drainDelayMs > 0) {
      this.log.info(`city node ${this.config.node.name} draining for ${drainDelayMs} ms (/readyz fails)`);
      await sleep(Math.min(drainDelayMs, left()));
    }
    const gateways = Promise.all([this.grpc?.close().catch(() => {}), this.rest.close().catch(() => {})]);
    // The gateways get what is left but a second for the rest.
    if (!(await within(gateways, Math.max(0, left() - 1000)))) {
      this.log.warn(`city node ${this.config.node.name}: requests still open at the deadline, closing their connections`);
      this.rest.server.closeAllConnections();
      this.grpc?.forceClose();
    }
    await within(this.networks.closeAll(), left());
    await this.service.metering
      .close()
      .catch((err: unknown) => this.log.warn('usage counts of the last moments not written', { error: (err as Error).message }));
    await this.registry.close().catch(() => {});
    this.log.info(`city node ${this.config.node.name} stopped`);
  }
}

/** The node's interchain part, over the registry's own database. */
async function openInterchain(
  config: NodeConfig,
  registry: Registry,
  networks: Networks,
  keys: NodeKeys,
  log: Logger,
  dev: boolean,
): Promise<InterchainNode | undefined> {
  const driver = (registry as { driver?: SqlRegistryDriver }).driver;
  if (!driver) return undefined;
  return InterchainNode.open({
    name: config.node.name,
    config: config.interchain,
    registry,
    driver,
    networks,
    keys,
    logger: log,
    clockSkewMs: config.limits.clockSkewMs,
    dev,
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether `work` settled within `ms` (it runs on either way). */
async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([work.then(() => true as const), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

async function seedPortals(config: NodeConfig, registry: Registry, keys: NodeKeys, log: Logger): Promise<void> {
  for (const p of config.portals) {
    if (!(await registry.getPortal(p.code))) {
      await registry.createPortal({ code: p.code, name: p.name, ...(p.policy && { policy: p.policy }) });
      log.info(`portal ${p.code} created`, { policy: p.policy ?? 'may offer anything' });
    }
    for (const u of p.users) {
      const existing = await registry.getUser(u.code);
      if (existing) {
        if (existing.portal !== p.code)
          log.warn(`user ${u.code} belongs to portal ${existing.portal}, not ${p.code} as configured; left alone`);
        continue;
      }
      await registry.createUser({
        code: u.code,
        portal: p.code,
        algorithm: u.algorithm,
        publicKey: u.publicKey,
        keyMode: u.keyMode,
        role: u.role,
        chainKeys: {},
        ...(u.keyMode === 'hosted' && { hostedIdentity: keys.sealNewUser(u.code) }),
      });
      log.info(`user ${u.code} registered in portal ${p.code}`, { keyMode: u.keyMode, role: u.role });
    }
  }
}

async function loadPlugins(
  o: StartOptions,
  { trusted, trust }: { trusted: TrustedCertifier[]; trust: PluginTrust },
  networks: Networks,
  log: Logger,
  progress: (line: string) => void,
): Promise<{ reports: PluginLoadReport[]; loaded: LoadedPlugin[] }> {
  const { config } = o;
  const reports: PluginLoadReport[] = [];
  const all: LoadedPlugin[] = [];
  if (config.plugins.length === 0) return { reports, loaded: all };
  const currentSuite = config.trust.suites.current ?? o.suiteVersion;
  const host = new PluginHost({
    ...trust.hostOptions,
    ...(currentSuite && { suites: { current: currentSuite, previous: config.trust.suites.previous } }),
    trustedCertifiers: trusted,
    requireFull: config.trust.requireFull,
    dev: o.dev ?? false,
    logger: log,
    cwd: config.baseDir,
  });
  for (const entry of config.plugins) {
    let loaded: LoadedPlugin;
    try {
      loaded = await loadPlugin(host, entry, config, log);
    } catch (err) {
      if (err instanceof PluginRefusedError) {
        log.error(`plugin ${err.plugin} NOT loaded — refused (${err.reason}): ${err.why}`, { source: entry.source, reason: err.reason });
        reports.push({
          source: entry.source,
          loaded: false,
          state: 'refused',
          plugin: err.plugin,
          reason: err.reason,
          message: err.message,
        });
      } else {
        const message = (err as Error).message;
        log.error(`plugin ${entry.source} NOT loaded: ${message}`, { source: entry.source });
        reports.push({ source: entry.source, loaded: false, state: 'refused', reason: isBsnError(err) ? err.code : 'error', message });
      }
      continue;
    }
    all.push(loaded);
    const label = `${loaded.manifest.name}@${loaded.manifest.version}`;
    progress(
      `plugin ${label} loaded (${
        loaded.verification.certified
          ? `certified by ${loaded.verification.certifier?.name}${loaded.certificate?.payload.level === 'provisional' ? ', PROVISIONALLY: earned on an emulator' : ''}`
          : 'UNCERTIFIED, development mode'
      })`,
    );
    const certificate = loaded.verification.certified ? loaded.certificate?.payload : undefined;
    const report = entry.report ? await readConformanceSummary(entry.report, loaded.certificate, log) : undefined;
    reports.push({
      source: entry.source,
      loaded: true,
      plugin: label,
      framework: loaded.manifest.framework,
      certified: loaded.verification.certified,
      state: certificate ? certificate.level : 'uncertified',
      ...(certificate && { certifier: certificate.certifier.name, issuedAt: certificate.issuedAt, expiresAt: certificate.expiresAt }),
      ...(report && { report }),
    });
    for (const net of entry.networks) {
      let chain: StartedChain | undefined;
      try {
        let network: NetworkConfig;
        let origin: ConnectedNetwork['origin'];
        if (net.devnet) {
          progress(`network ${net.name}: starting devnet ${net.devnet}…`);
          chain = await (o.devnets ?? startPluginDevnet)(loaded.folder, net.devnet, progress);
          network = { ...chain.network, name: net.name };
          origin = { kind: 'devnet', devnet: net.devnet, node: chain.node };
          progress(`network ${net.name}: ${chain.node} up`);
        } else {
          network = { ...net.endpoint, framework: loaded.manifest.framework, name: net.name };
          origin = { kind: 'endpoint' };
        }
        const context: AdapterContext = { logger: log, dataDir: adapterDataDir(config, net.name) };
        await mkdir(context.dataDir, { recursive: true });
        const adapter = await loaded.factory.connect(network, context);
        const description = adapter.describe();
        const accountAlgorithm = adapter.identity.accountAlgorithms()[0] ?? description.keyAlgorithms[0] ?? 'secp256k1';
        networks.add({
          name: net.name,
          framework: loaded.manifest.framework,
          plugin: label,
          certified: loaded.verification.certified,
          adapter,
          description,
          accountAlgorithm,
          origin,
          ...(chain && { stop: () => chain!.stop() }),
        });
        progress(`network ${net.name}: connected through ${label}`);
      } catch (err) {
        log.error(`network ${net.name}: not connected: ${(err as Error).message}`);
        await chain?.stop().catch(() => {});
      }
    }
    // A confined plugin with no network connected: its process ends (with its last adapter otherwise).
    if (!networks.all().some((n) => n.plugin === label)) await (loaded as { close?: () => Promise<void> }).close?.();
  }
  return { reports, loaded: all };
}

/** Where the adapter of network `name` keeps its data; a confined plugin may write only there. */
const adapterDataDir = (config: NodeConfig, name: string) => join(config.node.dataDir, 'adapters', name);

/**
 * Loads a configured plugin confined in a process of its own (`loadIsolated`: the node's keystore,
 * registry and other plugins out of its reach), or in the node's process when its isolation is off.
 */
function loadPlugin(host: PluginHost, entry: PluginEntry, config: NodeConfig, log: Logger): Promise<LoadedPlugin> {
  const options = entry.certificate ? { certificate: entry.certificate } : {};
  const isolation = entry.isolation ?? { enabled: config.isolation?.enabled ?? true, allow: [], readPaths: [] };
  if (!isolation.enabled) return host.load(entry.source, options);
  return loadIsolated(host, entry.source, {
    ...options,
    dataDirs: entry.networks.map((net) => adapterDataDir(config, net.name)),
    allow: isolation.allow,
    readPaths: isolation.readPaths,
    logger: log,
  });
}
