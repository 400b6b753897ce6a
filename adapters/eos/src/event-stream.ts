/**
 * An app's events in chain order from strictly after a checkpoint, only from irreversible
 * blocks. The contract's `versions` table (indexed by block) says which blocks hold the app's
 * writes, and the registry's `icevents` table which hold its interchain traffic (`packet.*`);
 * the events themselves are read from those blocks' action traces. Ends only when the signal aborts.
 */
import { checkEventsRequest, isAfter, type ChainEvent, type EventsRequest } from '@bsn/contract';
import type { AppRegistry, LocatedApp } from './apps.js';
import type { ContractAbi } from './antelope/index.js';
import type { ContractAbis } from './contract-abis.js';
import type { ContractTables } from './contract-tables.js';
import { toBsnError } from './errors.js';
import { eventsOf } from './events.js';
import { packetEventsOf } from './interchain/packet-events.js';
import type { NodeApi } from './node-api.js';

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export class EventStream {
  constructor(
    private readonly api: NodeApi,
    private readonly apps: AppRegistry,
    private readonly tables: ContractTables,
    private readonly abis: ContractAbis,
    private readonly pollMs: number,
  ) {}

  async *events(request: EventsRequest): AsyncGenerator<ChainEvent> {
    const plan = checkEventsRequest(request);
    const app = await this.apps.locate(plan.appId);
    const abi = await this.abis.of(app.account);
    const registryAbi = await this.abis.of(this.apps.contract);
    let seen = plan.after;
    let from = Math.max(app.created, plan.after?.block ?? 0);
    while (!plan.signal?.aborted) {
      const lib = await this.lib(app);
      if (from <= lib) {
        for (const block of await this.blocksWithWrites(app, from, lib)) {
          for (const event of await this.eventsIn(app, abi, registryAbi, block)) {
            if (!isAfter(event.checkpoint, seen) || (plan.name !== undefined && event.name !== plan.name)) continue;
            if (plan.signal?.aborted) return;
            yield event;
            seen = event.checkpoint;
          }
        }
        from = lib + 1;
      }
      await pause(this.pollMs, plan.signal);
    }
  }

  private async lib(app: LocatedApp): Promise<number> {
    try {
      return (await this.api.info()).last_irreversible_block_num;
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what: `events of ${app.appId}` });
    }
  }

  private async blocksWithWrites(app: LocatedApp, from: number, to: number): Promise<number[]> {
    try {
      const versions = await this.tables.versionsInBlocks(app, from, to);
      const interchain = await this.tables.interchainBlocks(this.apps.contract, app.appId, from, to);
      return [...new Set([...versions.map((v) => v.block), ...interchain])].sort((a, b) => a - b);
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what: `events of ${app.appId}` });
    }
  }

  private async eventsIn(app: LocatedApp, abi: ContractAbi, registryAbi: ContractAbi, block: number): Promise<ChainEvent[]> {
    try {
      const trace = await this.api.traceBlock(block);
      return trace.transactions.flatMap((tx) =>
        tx.status === 'executed'
          ? [
              ...eventsOf(tx.actions, abi, app, tx.id, block),
              ...packetEventsOf(tx.actions, registryAbi, this.apps.contract, app.appId, tx.id, block),
            ].sort((x, y) => x.checkpoint.index - y.checkpoint.index)
          : [],
      );
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what: `events of ${app.appId} in block ${block}` });
    }
  }
}
