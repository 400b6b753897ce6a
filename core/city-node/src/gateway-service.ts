/**
 * The gateway's application service: what the node does for a request, whichever API it
 * came through. REST and gRPC authenticate the caller, then call this with plain JSON-able
 * bodies and get plain JSON-able results, so both APIs behave the same by construction.
 * The work is done by tenancy (who may act where), grants, writes and reads; this facade
 * adds the node-wide answers.
 */
import type { Checkpoint, Logger } from '@bsn/contract';
import { appKey } from './app-codes.js';
import type { Caller } from './auth/authenticator.js';
import type { Body } from './body.js';
import { Drain, nodeStopping, untilStopped } from './draining.js';
import { Grants } from './grants.js';
import { ApiError } from './errors.js';
import type { InterchainCalls } from './interchain/calls.js';
import { OperatorView } from './operator-view.js';
import type { PluginStatus } from './plugin-status.js';
import { Portals } from './portals.js';
import { Users } from './users.js';
import type { NodeKeys } from './keys.js';
import type { Metering } from './metering.js';
import type { Networks } from './networks.js';
import { Reads } from './reads.js';
import type { Grant, Registry } from './registry/registry.js';
import { Tenancy } from './tenancy.js';
import { Writes } from './writes.js';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export interface GatewayServiceOptions {
  registry: Registry;
  networks: Networks;
  keys: NodeKeys;
  metering: Metering;
  nodeName: string;
  logger?: Logger;
  now?: () => number;
  /** This instance leaving the fleet (see draining.ts). */
  drain?: Drain;
  /** The configured plugins as loaded or refused (the operator's view). */
  plugins?: () => PluginStatus[];
  /** Told of every grant change (interchain: the node writes grants on the apps' chains). */
  onGrantChange?: (grant: Grant) => Promise<void>;
  /** The interchain calls API, when the node runs it (gRPC reaches it through `interchain()`). */
  interchainCalls?: InterchainCalls;
}

export interface Readiness {
  ok: boolean;
  /** The instance is stopping: a balancer should send it nothing new. */
  draining?: boolean;
  registry: boolean;
  networks: Record<string, { ok: boolean; height?: number; error?: string }>;
}

export class GatewayService {
  readonly registry: Registry;
  readonly networks: Networks;
  readonly keys: NodeKeys;
  readonly metering: Metering;
  readonly drain: Drain;
  private readonly nodeName: string;
  private readonly tenancy: Tenancy;
  private readonly grants: Grants;
  private readonly writes: Writes;
  private readonly reads: Reads;
  private readonly users: Users;
  private readonly portals: Portals;
  private readonly operator: OperatorView;
  private readonly interchainCalls?: InterchainCalls;

  constructor(options: GatewayServiceOptions) {
    const now = options.now ?? Date.now;
    this.registry = options.registry;
    this.networks = options.networks;
    this.keys = options.keys;
    this.metering = options.metering;
    this.drain = options.drain ?? new Drain();
    this.nodeName = options.nodeName;
    this.tenancy = new Tenancy(this.registry, this.networks, this.keys, options.logger ?? silent);
    this.grants = new Grants(this.registry, this.tenancy, now, options.onGrantChange);
    this.writes = new Writes(this.registry, this.metering, this.tenancy, now);
    this.reads = new Reads(this.metering, this.tenancy);
    const log = options.logger ?? silent;
    this.users = new Users(this.registry, this.keys, log);
    this.portals = new Portals(this.registry, log);
    if (options.interchainCalls) this.interchainCalls = options.interchainCalls;
    this.operator = new OperatorView(this.registry, this.networks, this.metering, this.nodeName, options.plugins ?? (() => []));
  }

  /** The interchain calls API, or UNAVAILABLE on a node that does not run it. */
  interchain(): InterchainCalls {
    if (!this.interchainCalls) throw new ApiError('UNAVAILABLE', 'interchain-unsupported', 'this node does not run the interchain API');
    return this.interchainCalls;
  }

  nodeInfo(): Record<string, unknown> {
    return {
      name: this.nodeName,
      key: this.keys.responseSigner.key,
      networks: this.networks.all().map((n) => ({
        name: n.name,
        framework: n.framework,
        plugin: n.plugin,
        certified: n.certified,
        origin: n.origin,
        accountAlgorithm: n.accountAlgorithm,
        capabilities: n.description.capabilities,
        limits: n.description.limits,
      })),
      withdrawn: this.networks.allWithdrawn(),
    };
  }

  async ready(): Promise<Readiness> {
    if (this.drain.draining) return { ok: false, draining: true, registry: true, networks: {} };
    const registry = await this.registry.ping();
    const networks: Readiness['networks'] = {};
    await Promise.all(
      this.networks.all().map(async (n) => {
        try {
          const h = await n.adapter.gateway.health();
          networks[n.name] = { ok: h.ok, height: h.height };
        } catch (err) {
          networks[n.name] = { ok: false, error: (err as Error).message };
        }
      }),
    );
    return { ok: registry && Object.values(networks).every((n) => n.ok), registry, networks };
  }

  /**
   * Bandwidth accounting, by the transport, after a successful request about the caller's
   * app `app` (so it exists and the caller may see it: no second look-up).
   */
  recordBandwidth(caller: Caller | undefined, app: string | undefined, bytesIn: number, bytesOut: number): void {
    if (caller && app) this.metering.record(appKey(caller.user.portal, app), { bytesIn, bytesOut });
  }

  me(caller: Caller) {
    return this.tenancy.me(caller);
  }
  /** A user of the caller's own portal (its admins; operators too). */
  createUser(caller: Caller, body: Body) {
    return this.users.create(caller, caller.user.portal, body);
  }
  listPortals(caller: Caller) {
    return this.portals.list(caller);
  }
  getPortal(caller: Caller, portal: string) {
    return this.portals.get(caller, portal);
  }
  createPortal(caller: Caller, body: Body) {
    return this.portals.create(caller, body);
  }
  updatePortal(caller: Caller, portal: string, body: Body) {
    return this.portals.update(caller, portal, body);
  }
  listPortalUsers(caller: Caller, portal: string) {
    return this.users.list(caller, portal);
  }
  createPortalUser(caller: Caller, portal: string, body: Body) {
    return this.users.create(caller, portal, body);
  }
  updatePortalUser(caller: Caller, portal: string, user: string, body: Body) {
    return this.users.update(caller, portal, user, body);
  }
  operatorOverview(caller: Caller) {
    return this.operator.overview(caller);
  }
  setChainKey(caller: Caller, framework: string, body: Body) {
    return this.tenancy.setChainKey(caller, framework, body);
  }
  listApps(caller: Caller) {
    return this.tenancy.listApps(caller);
  }
  getApp(caller: Caller, code: string) {
    return this.tenancy.getApp(caller, code);
  }
  createApp(caller: Caller, body: Body) {
    return this.tenancy.createApp(caller, body);
  }
  admit(caller: Caller, code: string, body: Body) {
    return this.tenancy.admit(caller, code, body);
  }
  upgradeApp(caller: Caller, code: string, body: Body) {
    return this.tenancy.upgradeApp(caller, code, body);
  }

  grant(caller: Caller, code: string, body: Body) {
    return this.grants.grant(caller, code, body);
  }
  revokeGrant(caller: Caller, code: string, peer: string, direction: string) {
    return this.grants.revokeGrant(caller, code, peer, direction);
  }
  listGrants(caller: Caller, code: string) {
    return this.grants.listGrants(caller, code);
  }
  grantAllows(source: string, target: string, method?: string) {
    return this.grants.grantAllows(source, target, method);
  }

  kvPut(caller: Caller, code: string, key: string, value: Uint8Array, requestId?: string) {
    return this.writes.kvPut(caller, code, key, value, requestId);
  }
  kvDelete(caller: Caller, code: string, key: string, requestId?: string) {
    return this.writes.kvDelete(caller, code, key, requestId);
  }
  submit(caller: Caller, code: string, body: Body) {
    return this.writes.submit(caller, code, body);
  }
  prepare(caller: Caller, code: string, body: Body) {
    return this.writes.prepare(caller, code, body);
  }
  submitPrepared(caller: Caller, code: string, preparedId: string, body: Body) {
    return this.writes.submitPrepared(caller, code, preparedId, body);
  }

  kvGet(caller: Caller, code: string, key: string) {
    return this.reads.kvGet(caller, code, key);
  }
  kvHistory(caller: Caller, code: string, key: string) {
    return this.reads.kvHistory(caller, code, key);
  }
  kvList(caller: Caller, code: string, prefix: string, limit?: number, cursor?: string) {
    return this.reads.kvList(caller, code, prefix, limit, cursor);
  }
  evaluate(caller: Caller, code: string, body: Body) {
    return this.reads.evaluate(caller, code, body);
  }
  /** The app's events from `after`, until the client aborts `signal` or this instance drains (then `node-stopping`). */
  async events(caller: Caller, code: string, after: Checkpoint | undefined, name: string | undefined, signal: AbortSignal) {
    if (this.drain.draining) throw nodeStopping();
    return untilStopped(await this.reads.events(caller, code, after, name, signal), this.drain.signal, signal);
  }
  usage(caller: Caller, code: string) {
    return this.reads.usage(caller, code);
  }
}
