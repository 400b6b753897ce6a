/**
 * A city node's interchain part, wired from its config: the verifier over pinned roots, its
 * attester, the node-to-node authenticator, the calls API, grant writes, and — when
 * `interchain.relay.enabled` — the outbox watcher and relayer loop.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger, Packet } from '@bsn/contract';
import type { InterchainConfig } from './config.js';
import type { NodeKeys } from '../keys.js';
import type { Networks } from '../networks.js';
import type { Registry } from '../registry/registry.js';
import type { SqlDriver } from '../registry/sql-registry.js';
import { Tenancy } from '../tenancy.js';
import { AttestationCollector, type AttesterEndpoint } from './attestation-collector.js';
import { InterchainAttester, type AttestationAnswer } from './attester.js';
import { CallStore } from './call-store.js';
import { InterchainCalls } from './calls.js';
import { EvidenceVerifier } from './evidence-verifier.js';
import { GrantSync } from './grant-sync.js';
import { OutboxWatcher } from './outbox-watcher.js';
import { PeerAuthenticator } from './peer-auth.js';
import { PeerClient } from './peer-client.js';
import { Relayer, newCall } from './relayer.js';

export interface InterchainNodeOptions {
  name: string;
  config: InterchainConfig;
  registry: Registry;
  driver: SqlDriver;
  networks: Networks;
  keys: NodeKeys;
  logger: Logger;
  clockSkewMs: number;
  /** Development mode: uncertified plugins may verify evidence. */
  dev?: boolean;
}

export class InterchainNode {
  readonly attester: InterchainAttester;
  readonly peerAuth: PeerAuthenticator;
  readonly calls: InterchainCalls;
  readonly grants: GrantSync;
  readonly relayer: Relayer;
  readonly store: CallStore;
  private readonly watcher: OutboxWatcher;
  private readonly kick: (packetId: string) => void;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  private constructor(private readonly o: InterchainNodeOptions) {
    const { config, registry, networks, keys, logger } = o;
    this.store = new CallStore(o.driver);
    const verifier = new EvidenceVerifier(networks, config.chains, o.dev ?? false);
    this.attester = new InterchainAttester(verifier, networks, keys.attesterKey());
    this.peerAuth = new PeerAuthenticator(config.peers, registry, { clockSkewMs: o.clockSkewMs });
    const client = new PeerClient(o.name, keys.signPeerRequest);
    const attesters: AttesterEndpoint[] = [
      { name: o.name, attest: (req) => this.attester.attest(JSON.parse(JSON.stringify(req))) },
      ...config.peers.map((p) => ({ name: p.name, attest: (req: Parameters<AttesterEndpoint['attest']>[0]) => client.attest(p, req) })),
    ];
    const holder = `${this.holderPrefix}${process.pid}/${randomBytes(4).toString('hex')}`;
    this.relayer = new Relayer({
      store: this.store,
      collector: new AttestationCollector(attesters, config.relay.threshold),
      chain: (name) => {
        const n = networks.byName(name);
        return n?.adapter.interchain
          ? { name, interchain: n.adapter.interchain, signer: keys.chainSigner(n.framework, n.accountAlgorithm) }
          : undefined;
      },
      holder,
      logger,
    });
    this.kick = (id: string) => {
      if (config.relay.enabled && !this.stopped)
        void this.relayer.advance(id).catch((err: unknown) => logger.warn('interchain relay failed', { error: (err as Error).message }));
    };
    this.calls = new InterchainCalls(registry, new Tenancy(registry, networks, keys, logger), this.store, this.kick);
    this.grants = new GrantSync(registry, networks, keys, logger);
    this.watcher = new OutboxWatcher(this.store, registry, networks, logger, this.kick);
  }

  /**
   * Attests for a peer; a packet this node proved is also tracked for its own relayer (when it
   * relays): a peer asking is how a node learns of packets on chains whose adapters emit no
   * `packet.sent` app event, so that several nodes relay each packet and one going down loses none.
   */
  async attestFor(body: unknown): Promise<AttestationAnswer> {
    const answer = await this.attester.attest(body);
    const req = body as { kind?: string; packet?: Packet; evidence?: { txId?: string } };
    if (this.o.config.relay.enabled && req.kind === 'packet' && req.packet) {
      const call = await this.store.add(newCall(req.packet, req.evidence?.txId, Date.now()));
      if (call.state === 'sent') this.kick(call.packetId);
    }
    return answer;
  }

  static async open(o: InterchainNodeOptions): Promise<InterchainNode> {
    const node = new InterchainNode(o);
    await node.store.migrate();
    const released = await node.store.releaseHeldBy(node.holderPrefix);
    if (released) o.logger.info(`interchain: ${released} packet lease(s) of this node's previous run released`);
    return node;
  }

  /** Leases of this node on this host, whichever run holds them. */
  private get holderPrefix(): string {
    return `${this.o.name}@${hostname()}/`;
  }

  /** The relayer's loop: new outboxes to watch, then every open call one round further. */
  start(): void {
    if (!this.o.config.relay.enabled) return;
    const round = async () => {
      await this.watcher.refresh();
      await this.relayer.tick();
    };
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = round()
        .catch((err: unknown) => this.o.logger.warn('interchain relay round failed', { error: (err as Error).message }))
        .finally(() => (this.running = undefined));
    }, this.o.config.relay.pollMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.watcher.stop();
    await this.running;
  }
}
