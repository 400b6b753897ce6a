/**
 * Watches the `packet.sent` events of apps that hold interchain grants on this node's networks,
 * and of every source app whose packets this node has tracked (a peer's apps once it attested one
 * of their packets), from the checkpoint the registry keeps for each, and records every packet
 * seen as a call for the relayer — packets sent by any member through any client or city node,
 * not only through this node's API, so a packet whose sending node died is still relayed.
 * After a restart it resumes after the last event it recorded (an event seen twice adds nothing:
 * calls are keyed by packet id).
 */
import type { ChainEvent, EventsRequest, Logger } from '@bsn/contract';
import { checkPacket } from '@bsn/contract';
import type { Networks } from '../networks.js';
import type { Registry } from '../registry/registry.js';
import type { CallStore } from './call-store.js';
import { newCall } from './relayer.js';

const EVENT = 'packet.sent';

export class OutboxWatcher {
  private readonly watching = new Map<string, AbortController>();

  constructor(
    private readonly store: CallStore,
    private readonly registry: Pick<Registry, 'getApp'>,
    private readonly networks: Pick<Networks, 'byName'>,
    private readonly log: Logger,
    private readonly onPacket: (packetId: string) => void = () => {},
  ) {}

  /** Starts watching the outboxes not yet watched. */
  async refresh(): Promise<void> {
    const sources = await this.store.trackedSources();
    for (const code of await this.store.grantedSources()) {
      const app = await this.registry.getApp(code);
      if (app) sources.push({ network: app.network, app: code });
    }
    for (const { network: name, app } of sources) {
      const key = `${name}\n${app}`;
      if (this.watching.has(key)) continue;
      const network = this.networks.byName(name);
      if (!network?.adapter.interchain?.deliver) continue;
      const controller = new AbortController();
      this.watching.set(key, controller);
      void this.watch(network.name, app, network.adapter.gateway.events.bind(network.adapter.gateway), controller.signal).finally(() =>
        this.watching.delete(key),
      );
    }
  }

  private async watch(
    network: string,
    app: string,
    events: (r: EventsRequest) => AsyncIterable<ChainEvent>,
    signal: AbortSignal,
  ): Promise<void> {
    const after = await this.store.checkpoint(network, app, EVENT);
    try {
      for await (const e of events({ app: { appId: app }, ...(after && { after }), name: EVENT, signal })) {
        if (signal.aborted) break;
        try {
          const packet = checkPacket(JSON.parse(Buffer.from(e.payload).toString('utf8')));
          const call = await this.store.add(newCall(packet, e.txId, Date.now()));
          this.log.debug(`interchain: packet ${call.packetId}: seen in ${app}'s outbox on ${network}`, {
            packetId: call.packetId,
            stage: 'seen in the outbox',
            at: Date.now(),
          });
          this.onPacket(call.packetId);
        } catch (err) {
          this.log.warn(`interchain: a ${EVENT} event of ${app} on ${network} is not a packet: skipped`, { error: (err as Error).message });
        }
        await this.store.setCheckpoint(network, app, EVENT, e.checkpoint);
      }
    } catch (err) {
      if (!signal.aborted)
        this.log.warn(`interchain: watching ${app} on ${network} stopped (retried on the next round)`, { error: (err as Error).message });
    }
  }

  stop(): void {
    for (const c of this.watching.values()) c.abort();
    this.watching.clear();
  }
}
