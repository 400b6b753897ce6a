/** The chain networks a node is connected to, each through one loaded plugin's adapter. */
import type { Adapter, AdapterDescription, KeyAlgorithm } from '@bsn/contract';
import { invalid } from './errors.js';

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

export class Networks {
  private readonly list: ConnectedNetwork[] = [];

  add(network: ConnectedNetwork): void {
    this.list.push(network);
  }

  all(): readonly ConnectedNetwork[] {
    return this.list;
  }

  byName(name: string): ConnectedNetwork | undefined {
    return this.list.find((n) => n.name === name);
  }

  /** The network an app goes on: named, or the first of its framework, or the only one. */
  choose(framework: string | undefined, name: string | undefined): ConnectedNetwork {
    if (name) {
      const n = this.byName(name);
      if (!n) throw invalid('unknown-network', `no network ${name} on this node (it has ${this.names()})`, '/network');
      if (framework && n.framework !== framework)
        throw invalid('unknown-network', `network ${name} runs ${n.framework}, not ${framework}`, '/framework');
      return n;
    }
    if (framework) {
      const n = this.list.find((x) => x.framework === framework);
      if (!n)
        throw invalid(
          'unknown-network',
          `no ${framework} network on this node (frameworks: ${[...new Set(this.list.map((x) => x.framework))].join(', ') || 'none'})`,
          '/framework',
        );
      return n;
    }
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
  }
}
