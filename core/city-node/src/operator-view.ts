/**
 * The operator's view of the node, in one answer (what the operator page polls): plugins and
 * their certificates, networks with their health, head block and usage, and every portal with
 * its policy, users and apps with their usage. Operators only.
 */
import type { Caller } from './auth/authenticator.js';
import type { AppUsage, Metering } from './metering.js';
import type { Networks, WithdrawnNetwork } from './networks.js';
import type { PluginStatus } from './plugin-status.js';
import type { PortalPolicy, Registry } from './registry/registry.js';
import { localCode } from './app-codes.js';
import { requireOperator } from './roles.js';

/** Health answers are shared this long: several pages polling cost the chains one probe. */
const HEALTH_TTL_MS = 1000;
/** A network that does not answer within this is shown unhealthy, not waited for. */
const HEALTH_TIMEOUT_MS = 3000;

export type UsageJson = Omit<AppUsage, 'app'>;

export interface NetworkView {
  name: string;
  framework: string;
  plugin: string;
  certified: boolean;
  origin: string;
  health: { ok: boolean; height?: number; error?: string };
  apps: number;
  usage: UsageJson;
}

export interface OverviewJson {
  node: string;
  at: number;
  plugins: PluginStatus[];
  networks: NetworkView[];
  withdrawn: WithdrawnNetwork[];
  portals: Array<{
    code: string;
    name: string;
    policy: PortalPolicy;
    users: number;
    apps: Array<{ code: string; name: string; owner: string; framework: string; network: string; createdAt: number; usage: UsageJson }>;
  }>;
  /** Cross-chain calls relayed by this node, by state; empty until the node relays (no relayer is configured yet). */
  interchain: Array<{ id: string; source: string; target: string; state: string }>;
}

const zero = (windowMs: number): UsageJson => ({ txs: 0, reads: 0, storageBytes: 0, bytesIn: 0, bytesOut: 0, tps: 0, windowMs });

function add(sum: UsageJson, u: UsageJson): void {
  sum.txs += u.txs;
  sum.reads += u.reads;
  sum.storageBytes += u.storageBytes;
  sum.bytesIn += u.bytesIn;
  sum.bytesOut += u.bytesOut;
  sum.tps += u.tps;
}

export class OperatorView {
  private health: { at: number; value: Promise<Map<string, NetworkView['health']>> } | undefined;

  constructor(
    private readonly registry: Registry,
    private readonly networks: Networks,
    private readonly metering: Metering,
    private readonly nodeName: string,
    private readonly plugins: () => PluginStatus[],
  ) {}

  async overview(caller: Caller): Promise<OverviewJson> {
    requireOperator(caller, 'sees the whole node');
    const [portals, usage, health] = await Promise.all([this.registry.listPortals(), this.metering.allUsage(), this.healthOfAll()]);
    const windowMs = usage[0]?.windowMs ?? 60_000;
    const usageOf = new Map(usage.map(({ app, ...u }) => [app, u]));
    const networks = new Map<string, NetworkView>(
      this.networks.all().map((n) => [
        n.name,
        {
          name: n.name,
          framework: n.framework,
          plugin: n.plugin,
          certified: n.certified,
          origin: n.origin.kind === 'devnet' ? `devnet ${n.origin.devnet} (${n.origin.node})` : 'endpoint',
          health: health.get(n.name) ?? { ok: false, error: 'not probed' },
          apps: 0,
          usage: zero(windowMs),
        },
      ]),
    );
    const portalViews: OverviewJson['portals'] = [];
    for (const p of portals) {
      const [users, apps] = await Promise.all([this.registry.listUsers(p.code), this.registry.listApps(p.code)]);
      portalViews.push({
        code: p.code,
        name: p.name,
        policy: p.policy,
        users: users.length,
        apps: apps.map((a) => {
          const u = usageOf.get(a.code) ?? zero(windowMs);
          const network = networks.get(a.network);
          if (network) {
            network.apps += 1;
            add(network.usage, u);
          }
          return {
            code: localCode(a),
            name: a.name,
            owner: a.owner,
            framework: a.framework,
            network: a.network,
            createdAt: a.createdAt,
            usage: u,
          };
        }),
      });
    }
    return {
      node: this.nodeName,
      at: Date.now(),
      plugins: this.plugins(),
      networks: [...networks.values()],
      withdrawn: this.networks.allWithdrawn(),
      portals: portalViews,
      interchain: [],
    };
  }

  private healthOfAll(): Promise<Map<string, NetworkView['health']>> {
    const now = Date.now();
    if (this.health && now - this.health.at < HEALTH_TTL_MS) return this.health.value;
    const value = Promise.all(
      this.networks.all().map(async (n): Promise<[string, NetworkView['health']]> => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${HEALTH_TIMEOUT_MS} ms`)), HEALTH_TIMEOUT_MS);
        });
        try {
          const h = await Promise.race([n.adapter.gateway.health(), timeout]);
          return [n.name, { ok: h.ok, ...(h.height !== undefined && { height: h.height }) }];
        } catch (err) {
          return [n.name, { ok: false, error: (err as Error).message }];
        } finally {
          clearTimeout(timer);
        }
      }),
    ).then((entries) => new Map(entries));
    this.health = { at: now, value };
    return value;
  }
}
