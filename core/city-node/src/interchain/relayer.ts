/**
 * The relayer: moves each tracked packet one step at a time — deliver (or record its timeout) on
 * the target, then acknowledge (or close as timed out) on the source — each step on evidence this
 * node fetched and attestations it collected. Before every step it reads the packet's state from
 * both chains, never from its own records, so a restart, a lost answer or another relayer that
 * got there first only changes which step comes next: the chain refuses a second execution
 * (CONFLICT), and that is read back as done.
 */
import type { Evidence, Interchain, Logger, Packet, PacketState, Signer } from '@bsn/contract';
import { isBsnError, packetId } from '@bsn/contract';
import type { AttestationCollector } from './attestation-collector.js';
import { FINAL_STATES, type InterchainCall } from './call.js';
import type { CallStore } from './call-store.js';

/** A chain the relayer can act on: its adapter's interchain members and the node's account there. */
export interface RelayChain {
  name: string;
  interchain: Interchain;
  signer: Signer;
}

export interface RelayerOptions {
  store: CallStore;
  collector: AttestationCollector;
  chain: (name: string) => RelayChain | undefined;
  /** This instance, as the holder of its leases. */
  holder: string;
  logger: Logger;
  now?: () => number;
  leaseMs?: number;
}

const evidenceId = (e: Evidence) => `${e.chain}/${e.block}/${e.txId}`;
const isConflict = (err: unknown) => isBsnError(err) && err.code === 'CONFLICT';

export class Relayer {
  private readonly now: () => number;
  /** Advances running in this instance, by packet: a second kick joins the one running. */
  private readonly running = new Map<string, Promise<InterchainCall | null>>();

  constructor(private readonly o: RelayerOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Advances every open call once (those another instance holds are left to it). */
  async tick(): Promise<void> {
    for (const call of await this.o.store.open(['sent', 'delivered', 'timed-out'], 100)) await this.advance(call.packetId);
  }

  /**
   * Moves one call as far as it goes now; the call as it stands after. A call this instance is
   * already moving is not moved twice at once (its lease is this instance's, so it would not stop
   * a second run): the API's kick, the outbox watcher's and the loop's round join the one running,
   * which reads both chains before each step anyway. Two runs at once each fetched evidence and
   * collected attestations for the same step, and the loser's delivery, refused by a chain that
   * already held the winner's pending transaction, was retried on fresh attestations up to the
   * step bound — about 17 attestation rounds per Fabric → Ethereum call, on the shared cores.
   */
  advance(id: string): Promise<InterchainCall | null> {
    const running = this.running.get(id);
    if (running) return running;
    const run = this.advanceHeld(id).finally(() => this.running.delete(id));
    this.running.set(id, run);
    return run;
  }

  private async advanceHeld(id: string): Promise<InterchainCall | null> {
    const { store, holder } = this.o;
    if (!(await store.lease(id, holder, this.now() + (this.o.leaseMs ?? 15_000), this.now()))) return store.get(id);
    try {
      let call = (await store.get(id))!;
      this.mark(id, 'leased', { state: call.state });
      // The steps a packet takes, with room for a step another relayer took first (CONFLICT: the
      // next step re-reads both chains); bounded, so a chain that refuses without saying why stops
      // it. Two steps in a row that moved nothing (another relayer's transaction still pending on
      // the target: it refuses ours, yet its state reads as before) leave the call to the next round.
      for (let i = 0, idle = 0; i < 6 && idle < 2 && !FINAL_STATES.has(call.state); i++) {
        try {
          const before = call;
          call = await this.step(call);
          idle = moved(before, call) ? 0 : idle + 1;
          delete call.lastError;
        } catch (err) {
          call.lastError = (err as Error).message;
          this.o.logger.warn(`interchain: packet ${id} not moved on from ${call.state}`, { error: call.lastError });
          call.updatedAt = this.now();
          await store.save(call);
          break;
        }
        call.updatedAt = this.now();
        await store.save(call);
        this.mark(id, 'saved', { state: call.state });
      }
      return call;
    } finally {
      await store.release(id, holder);
    }
  }

  /**
   * A stage of a packet's way, at debug level with its time: where a call's latency goes can
   * then be read from the log (the interchain benches collect these).
   */
  private mark(packetId: string, stage: string, fields?: Record<string, unknown>): void {
    this.o.logger.debug(`interchain: packet ${packetId}: ${stage}`, { packetId, stage, at: this.now(), ...fields });
  }

  private chains(packet: Packet): { src: RelayChain; dst: RelayChain } {
    const src = this.o.chain(packet.srcChain);
    const dst = this.o.chain(packet.dstChain);
    if (!src) throw new Error(`this node is not connected to the source chain ${packet.srcChain}`);
    if (!dst) throw new Error(`this node is not connected to the target chain ${packet.dstChain}`);
    return { src, dst };
  }

  /** One step, chosen by what both chains say now. */
  private async step(call: InterchainCall): Promise<InterchainCall> {
    const { packet } = call;
    const { src, dst } = this.chains(packet);
    // Both chains are read at once (one round trip less per step); the target's answer counts only
    // when the source's leaves the packet open.
    const targetRead = state(dst, packet).then(
      (read) => ({ read }),
      (error: unknown) => ({ error }),
    );
    const at = await state(src, packet);
    if (at.state === 'acknowledged')
      return { ...call, state: 'acknowledged', ack: at.ack, txs: { ...call.txs, acknowledge: call.txs.acknowledge ?? at.txId } };
    if (at.state === 'timed-out') return { ...call, state: 'closed', txs: { ...call.txs, close: call.txs.close ?? at.txId } };
    if (at.state === 'unknown') throw new Error(`the source chain ${packet.srcChain} does not know packet ${call.packetId}`);
    const send = call.txs.send ?? at.txId;
    const target = await targetRead;
    if ('error' in target) throw target.error;
    const there = target.read;
    this.mark(call.packetId, 'states read', { source: at.state, target: there.state });
    if (there.state === 'delivered')
      return this.acknowledge(
        { ...call, state: 'delivered', ack: there.ack, txs: { ...call.txs, deliver: call.txs.deliver ?? there.txId } },
        src,
        dst,
      );
    if (there.state === 'timed-out')
      return this.close({ ...call, state: 'timed-out', txs: { ...call.txs, timeout: call.txs.timeout ?? there.txId } }, src, dst);
    if (!send) throw new Error(`no send transaction known for packet ${call.packetId}`);
    return this.deliver({ ...call, txs: { ...call.txs, send } }, src, dst);
  }

  private async deliver(call: InterchainCall, src: RelayChain, dst: RelayChain): Promise<InterchainCall> {
    const { packet, packetId: id } = call;
    const fetched = await src.interchain.evidence(call.txs.send!, { kind: 'packet', packetId: id });
    this.mark(id, 'packet evidence fetched', { block: fetched.block });
    const evidence = await this.o.collector.withBlockAttestations(fetched);
    this.mark(id, 'packet block attested', { attestations: evidence.attestations?.length ?? 0 });
    const attestations = await this.o.collector.interchain({ kind: 'packet', packet, evidence });
    this.mark(id, 'packet attested');
    call = { ...call, evidence: { ...call.evidence, packet: evidenceId(evidence) } };
    if (this.now() < packet.timeout) {
      try {
        const { receipt, ack } = await dst.interchain.deliver!(packet, attestations, dst.signer);
        this.mark(id, 'delivered', { block: receipt.block.number, txId: receipt.txId });
        return { ...call, state: 'delivered', ack, txs: { ...call.txs, deliver: receipt.txId } };
      } catch (err) {
        // Delivered by someone else, or timed out by the target's clock: the next step reads which.
        if (!isConflict(err)) throw err;
        if (!/timed out/i.test((err as Error).message)) return call;
      }
    }
    try {
      const receipt = await dst.interchain.recordTimeout!(packet, attestations, dst.signer);
      return { ...call, state: 'timed-out', txs: { ...call.txs, timeout: receipt.txId } };
    } catch (err) {
      if (isConflict(err)) return call;
      throw err;
    }
  }

  private async acknowledge(call: InterchainCall, src: RelayChain, dst: RelayChain): Promise<InterchainCall> {
    const { packet, packetId: id, ack } = call;
    if (!call.txs.deliver) throw new Error(`the target chain names no delivery transaction for packet ${id}`);
    const fetched = await dst.interchain.evidence(call.txs.deliver, { kind: 'ack', packetId: id });
    this.mark(id, 'ack evidence fetched', { block: fetched.block });
    const evidence = await this.o.collector.withBlockAttestations(fetched);
    this.mark(id, 'ack block attested', { attestations: evidence.attestations?.length ?? 0 });
    const attestations = await this.o.collector.interchain({ kind: 'ack', packet, ack: ack!, evidence });
    this.mark(id, 'ack attested');
    call = { ...call, evidence: { ...call.evidence, ack: evidenceId(evidence) } };
    try {
      const receipt = await src.interchain.acknowledge!(packet, ack!, attestations, src.signer);
      this.mark(id, 'acknowledged', { block: receipt.block.number, txId: receipt.txId });
      return { ...call, state: 'acknowledged', txs: { ...call.txs, acknowledge: receipt.txId } };
    } catch (err) {
      if (isConflict(err)) return call;
      throw err;
    }
  }

  private async close(call: InterchainCall, src: RelayChain, dst: RelayChain): Promise<InterchainCall> {
    const { packet, packetId: id } = call;
    if (!call.txs.timeout) throw new Error(`the target chain names no timeout transaction for packet ${id}`);
    const evidence = await this.o.collector.withBlockAttestations(
      await dst.interchain.evidence(call.txs.timeout, { kind: 'timeout', packetId: id }),
    );
    const attestations = await this.o.collector.interchain({ kind: 'timeout', packet, evidence });
    call = { ...call, evidence: { ...call.evidence, timeout: evidenceId(evidence) } };
    try {
      const receipt = await src.interchain.closeTimedOut!(packet, attestations, src.signer);
      return { ...call, state: 'closed', txs: { ...call.txs, close: receipt.txId } };
    } catch (err) {
      if (isConflict(err)) return call;
      throw err;
    }
  }
}

/** Whether a step changed the call's state or learned a transaction. */
function moved(before: InterchainCall, after: InterchainCall): boolean {
  if (before.state !== after.state) return true;
  const keys = new Set([...Object.keys(before.txs), ...Object.keys(after.txs)]) as Set<keyof InterchainCall['txs']>;
  return [...keys].some((k) => before.txs[k] !== after.txs[k]);
}

async function state(chain: RelayChain, packet: Packet): Promise<PacketState> {
  if (typeof chain.interchain.packetState !== 'function' || typeof chain.interchain.deliver !== 'function')
    throw new Error(`chain ${chain.name}'s adapter does not deliver packets (no interchain.deliver)`);
  return chain.interchain.packetState(packet);
}

/** A call the relayer tracks from a packet it saw sent (or sent itself). */
export function newCall(packet: Packet, sendTx: string | undefined, now: number, app?: string): InterchainCall {
  return {
    packetId: packetId(packet),
    ...(app && { app }),
    packet,
    state: 'sent',
    txs: sendTx ? { send: sendTx } : {},
    evidence: {},
    createdAt: now,
    updatedAt: now,
  };
}
