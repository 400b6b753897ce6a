/** The chain networks a node is connected to, each through one loaded plugin's adapter. */
import type { Adapter, AdapterDescription, KeyAlgorithm } from '@bsn/contract';
import { ApiError, invalid } from './errors.js';

export interface ConnectedNetwork {
  name: string;
  framework: string;
  /** The plugin as its manifest names it (`name@version`). */
  plugin: string;
  certified: boolean;
  adapter: Adapter;
  description: AdapterDescription;
  /** The algorithm chain accounts use on this network. */
  accountAlgorithm: KeyAlgorithm;
  /** Where it came from: a devnet the node started, or an endpoint. */
  origin: { kind: 'devnet'; devnet: string; node: string } | { kind: 'endpoint' };
  /** Stops the devnet, if the node started one. */
  stop?: () => Promise<void>;
}

/** A network taken out of service while the node runs, and why (its apps get UNAVAILABLE with the reason). */
export interface WithdrawnNetwork {
  name: string;
  plugin: string;
  reason: 'plugin-revoked';
  message: string;
}

export class Networks {
  private readonly list: ConnectedNetwork[] = [];
  private readonly withdrawnByName = new Map<string, WithdrawnNetwork>();
  /** Devnets of withdrawn networks, stopped with the rest by closeAll. */
  private readonly withdrawnDevnets: Array<() => Promise<void>> = [];

  add(network: ConnectedNetwork): void {
    this.list.push(network);
  }

  all(): readonly ConnectedNetwork[] {
    return this.list;
  }

  byName(name: string): ConnectedNetwork | undefined {
    return this.list.find((n) => n.name === name);
  }

  allWithdrawn(): WithdrawnNetwork[] {
    return [...this.withdrawnByName.values()];
  }

  /** Why `name` was taken out of service, if it was. */
  withdrawn(name: string): WithdrawnNetwork | undefined {
    return this.withdrawnByName.get(name);
  }

  /** The error for a call on a withdrawn network. */
  static unavailable(w: WithdrawnNetwork): ApiError {
    return new ApiError('UNAVAILABLE', w.reason, `network ${w.name} is out of service: its plugin ${w.plugin} was unloaded — ${w.message}`);
  }

  /**
   * Takes every network of `plugin` out of service: later calls get UNAVAILABLE with the
   * reason; their adapters are closed (devnets the node started keep running: their apps'
   * state is not the plugin's to lose). Resolves to the names withdrawn.
   */
  async withdraw(plugin: string, reason: WithdrawnNetwork['reason'], message: string): Promise<string[]> {
    const gone = this.list.filter((n) => n.plugin === plugin);
    for (const n of gone) {
      this.list.splice(this.list.indexOf(n), 1);
      this.withdrawnByName.set(n.name, { name: n.name, plugin, reason, message });
      await n.adapter.close().catch(() => {});
      if (n.stop) this.withdrawnDevnets.push(n.stop);
    }
    return gone.map((n) => n.name);
  }

  /**
   * The network an app goes on: named, or the first of its framework, or the only one —
   * preferring, when the node picks, those `allowed` (the portal's jurisdiction) lets it use.
   */
  choose(
    framework: string | undefined,
    name: string | undefined,
    allowed: (n: ConnectedNetwork) => boolean = () => true,
  ): ConnectedNetwork {
    if (name) {
      const n = this.byName(name);
      const w = this.withdrawn(name);
      if (!n && w) throw Networks.unavailable(w);
      if (!n) throw invalid('unknown-network', `no network ${name} on this node (it has ${this.names()})`, '/network');
      if (framework && n.framework !== framework)
        throw invalid('unknown-network', `network ${name} runs ${n.framework}, not ${framework}`, '/framework');
      return n;
    }
    if (framework) {
      const n = this.list.find((x) => x.framework === framework && allowed(x)) ?? this.list.find((x) => x.framework === framework);
      if (!n)
        throw invalid(
          'unknown-network',
          `no ${framework} network on this node (frameworks: ${[...new Set(this.list.map((x) => x.framework))].join(', ') || 'none'})`,
          '/framework',
        );
      return n;
    }
    const candidates = this.list.filter(allowed);
    if (candidates.length === 1) return candidates[0]!;
    if (this.list.length === 1) return this.list[0]!;
    throw invalid('unknown-network', `say which framework (or network) the app runs on: this node has ${this.names()}`, '/framework');
  }

  private names(): string {
    return this.list.map((n) => `${n.name} (${n.framework})`).join(', ') || 'no networks';
  }

  async closeAll(): Promise<void> {
    for (const n of [...this.list].reverse()) {
      await n.adapter.close().catch(() => {});
      await n.stop?.().catch(() => {});
    }
    this.list.length = 0;
    for (const stop of this.withdrawnDevnets.splice(0)) await stop().catch(() => {});
  }
}
