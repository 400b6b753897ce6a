import {
  checkPacket,
  isBsnError,
  type Ack,
  type AppRef,
  type ChainGrant,
  type DeliveryAttesters,
  type InterchainAttestation,
  type PacketState,
  type Attester,
  type BlockInfo,
  type ChainEvent,
  type CompactSignature,
  type EvaluateRequest,
  type EvaluateResult,
  type Evidence,
  type EventsRequest,
  type Gateway,
  type HealthReport,
  type Interchain,
  type KeyAlgorithm,
  type KvEntry,
  type KvHistoryEntry,
  type KvPage,
  type KvWrite,
  type Packet,
  type PacketInput,
  type PreparedTransaction,
  type PresetKv,
  type Receipt,
  type Signer,
  type SubmitRequest,
  type TransactionInfo,
  type TrustRoots,
  type Verification,
  type WritePlan,
} from '@bsn/contract';
import { furthestState } from '../interchain/delivery.js';
import type { ChannelRouter } from './router.js';

const appOf = (request: unknown): unknown =>
  typeof request === 'object' && request !== null ? (request as { app?: unknown }).app : undefined;

/** The gateway over every channel: each call goes to the channel of the app it names. */
export class RoutedGateway implements Gateway {
  constructor(private readonly router: ChannelRouter) {}

  async submit(request: SubmitRequest, signer: Signer): Promise<Receipt> {
    return (await this.router.forApp(appOf(request))).gateway.submit(request, signer);
  }

  async prepare(request: SubmitRequest, account: { publicKey: Uint8Array; algorithm: KeyAlgorithm }): Promise<PreparedTransaction> {
    return (await this.router.forApp(appOf(request))).gateway.prepare(request, account);
  }

  async submitPrepared(prepared: PreparedTransaction, signature: CompactSignature): Promise<Receipt> {
    return (
      await this.router.forApp(appOf(typeof prepared === 'object' && prepared !== null ? prepared.request : undefined))
    ).gateway.submitPrepared(prepared, signature);
  }

  /** A user-signed authorisation relayed as is (tests: see the chaincode refuse a forged one). */
  async relaySigned(
    authJson: string,
    compact: Uint8Array,
    plan: Pick<WritePlan, 'appId' | 'method' | 'requestId' | 'timeoutMs'>,
  ): Promise<Receipt> {
    return (await this.router.forApp({ appId: plan.appId })).userKey.relaySigned(authJson, compact, plan);
  }

  async evaluate(request: EvaluateRequest, caller?: Signer): Promise<EvaluateResult> {
    return (await this.router.forApp(appOf(request))).gateway.evaluate(request, caller);
  }

  events(request: EventsRequest): AsyncIterable<ChainEvent> {
    const router = this.router;
    return {
      async *[Symbol.asyncIterator]() {
        yield* (await router.forApp(appOf(request))).gateway.events(request);
      },
    };
  }

  async block(ref: number | 'latest', scope?: AppRef): Promise<BlockInfo> {
    return (await this.router.forScope(scope)).gateway.block(ref);
  }

  async transaction(txId: string, scope?: AppRef): Promise<TransactionInfo> {
    return (await this.router.forScope(scope)).gateway.transaction(txId);
  }

  health(): Promise<HealthReport> {
    return this.router.shared.gateway.health();
  }
}

/** The preset key/value contract over every channel. */
export class RoutedKv implements PresetKv {
  constructor(private readonly router: ChannelRouter) {}

  async put(request: KvWrite & { value: Uint8Array }, signer: Signer): Promise<Receipt> {
    return (await this.router.forApp(appOf(request))).kv.put(request, signer);
  }

  async delete(request: KvWrite, signer: Signer): Promise<Receipt> {
    return (await this.router.forApp(appOf(request))).kv.delete(request, signer);
  }

  async get(app: AppRef, key: string): Promise<KvEntry | null> {
    return (await this.router.forApp(app)).kv.get(app, key);
  }

  async history(app: AppRef, key: string): Promise<KvHistoryEntry[]> {
    return (await this.router.forApp(app)).kv.history(app, key);
  }

  async list(app: AppRef, prefix: string, page?: { limit?: number; cursor?: string }): Promise<KvPage> {
    return (await this.router.forApp(app)).kv.list(app, prefix, page);
  }
}

/**
 * Interchain over every channel: a packet goes out on its app's channel. Evidence names a
 * transaction, not an app: it is looked for on the shared channel, then on every dedicated
 * channel this instance has met (or on the channel of the app given as `scope`). `trustRoots`
 * pins the shared channel and every app's dedicated channel; `trustRootsFor(app)` only the
 * channel `app` lives on.
 */
export class RoutedInterchain implements Interchain {
  constructor(private readonly router: ChannelRouter) {}

  async emit(app: AppRef, input: PacketInput, signer: Signer): Promise<{ packet: Packet; receipt: Receipt }> {
    return (await this.router.forApp(app)).interchain.emit(app, input, signer);
  }

  /**
   * `scope` (an extension of the contract's signature) names the source app, so its channel
   * is searched even by an instance that has not met the app yet.
   */
  async evidence(txId: string, subject: Evidence['subject'], scope?: AppRef): Promise<Evidence> {
    if (scope !== undefined) return (await this.router.forScope(scope)).interchain.evidence(txId, subject);
    let first: unknown;
    for (const parts of this.router.known()) {
      try {
        return await parts.interchain.evidence(txId, subject);
      } catch (error) {
        if (!(isBsnError(error) && error.code === 'NOT_FOUND')) throw error;
        first ??= error;
      }
    }
    throw first;
  }

  /**
   * Delivery goes to the channel of the app that acts: the target app (`deliver`,
   * `recordTimeout`), the source app (`acknowledge`, `closeTimedOut`), the app whose grant it is.
   * Each channel keeps its own attesters: `scope` (an extension of the contract's signature)
   * names a dedicated app whose channel is configured, by an admin of one of its member orgs
   * (the chaincode refuses anyone else); without it, the shared channel.
   */
  async configureDelivery(attesters: DeliveryAttesters, signer: Signer, scope?: AppRef): Promise<Receipt> {
    return (await this.router.forScope(scope)).interchain.configureDelivery(attesters, signer);
  }

  async setGrant(app: AppRef, grant: ChainGrant, signer: Signer): Promise<Receipt> {
    return (await this.router.forApp(app)).interchain.setGrant(app, grant, signer);
  }

  async deliver(packet: Packet, attestations: InterchainAttestation[], signer: Signer): Promise<{ receipt: Receipt; ack: Ack }> {
    const p = checkPacket(structuredClone(packet));
    return (await this.router.forApp({ appId: p.dstApp })).interchain.deliver(p, attestations, signer);
  }

  async recordTimeout(packet: Packet, attestations: InterchainAttestation[], signer: Signer): Promise<Receipt> {
    const p = checkPacket(structuredClone(packet));
    return (await this.router.forApp({ appId: p.dstApp })).interchain.recordTimeout(p, attestations, signer);
  }

  async acknowledge(packet: Packet, ack: Ack, attestations: InterchainAttestation[], signer: Signer): Promise<Receipt> {
    const p = checkPacket(structuredClone(packet));
    return (await this.router.forApp({ appId: p.srcApp })).interchain.acknowledge(p, ack, attestations, signer);
  }

  async closeTimedOut(packet: Packet, attestations: InterchainAttestation[], signer: Signer): Promise<Receipt> {
    const p = checkPacket(structuredClone(packet));
    return (await this.router.forApp({ appId: p.srcApp })).interchain.closeTimedOut(p, attestations, signer);
  }

  /** `side` as FabricDelivery.packetState: the view of a packet this chain both sent and received. */
  async packetState(packet: Packet, side?: 'source' | 'target'): Promise<PacketState> {
    const p = checkPacket(structuredClone(packet));
    const name = this.router.shared.config.name;
    const on = async (s: 'source' | 'target') =>
      (await this.router.forApp({ appId: s === 'source' ? p.srcApp : p.dstApp })).interchain.packetState(p, s);
    if (side !== undefined) return on(side);
    if (p.srcChain === name && p.dstChain === name) return furthestState(await on('source'), await on('target'));
    if (p.srcChain === name) return on('source');
    return p.dstChain === name ? on('target') : { side: 'source', state: 'unknown' };
  }

  verify(evidence: Evidence, trust: TrustRoots): Promise<Verification> {
    return this.router.shared.interchain.verify(evidence, trust);
  }

  /**
   * Roots for this network: the shared channel, and the dedicated channel of the app a piece of
   * evidence is about (`dedicatedChannels`), so one set of pinned roots serves every app.
   */
  async trustRoots(attesters?: Attester[], threshold?: number): Promise<TrustRoots> {
    const shared = await this.router.shared.interchain.trustRoots(attesters, threshold);
    return { ...shared, roots: { ...shared.roots, dedicatedChannels: true } };
  }

  /**
   * Roots pinning only the channel `app` lives on (an extension): what a verifier that trusts
   * that one channel pins.
   */
  async trustRootsFor(app: AppRef, attesters?: Attester[], threshold?: number): Promise<TrustRoots> {
    return (await this.router.forScope(app)).interchain.trustRoots(attesters, threshold);
  }
}
