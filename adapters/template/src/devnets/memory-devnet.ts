import type { Availability, Devnet, StartedDevnet } from '@bsn/contract';
import { NODE_VERSION, startMemoryNode } from './memory-node.js';

/**
 * A `memory` target: the ledger in this process behind a loopback HTTP endpoint. It is for
 * writing an adapter, not a chain: reports on it are never certified.
 */
export class MemoryDevnet implements Devnet {
  readonly name = 'memory';
  readonly kind = 'memory' as const;

  constructor(readonly framework: string) {}

  async available(): Promise<Availability> {
    return { ok: true };
  }

  async start(): Promise<StartedDevnet> {
    const node = await startMemoryNode(this.name);
    let stopped: Promise<void> | undefined;
    return {
      name: this.name,
      kind: this.kind,
      node: NODE_VERSION,
      network: { framework: this.framework, name: this.name, url: node.url },
      stop: () => (stopped ??= node.close()),
    };
  }
}
