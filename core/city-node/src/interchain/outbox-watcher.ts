/**
 * Watches the `packet.sent` events of apps that hold interchain grants on this node's networks,
 * from the checkpoint the registry keeps for each, and records every packet seen as a call for the
 * relayer — packets sent by any member through any client, not only through this node's API.
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

  /** Starts watching granted apps not yet watched. */
  async refresh(): Promise<void> {
    for (const code of await this.store.grantedSources()) {
      if (this.watching.has(code)) continue;
      const app = await this.registry.getApp(code);
      const network = app && this.networks.byName(app.network);
      if (!network?.adapter.interchain?.deliver) continue;
      const controller = new AbortController();
      this.watching.set(code, controller);
      void this.watch(network.name, code, network.adapter.gateway.events.bind(network.adapter.gateway), controller.signal).finally(() =>
        this.watching.delete(code),
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
