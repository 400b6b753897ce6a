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

  constructor(private readonly o: RelayerOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Advances every open call once (those another instance holds are left to it). */
  async tick(): Promise<void> {
    for (const call of await this.o.store.open(['sent', 'delivered', 'timed-out'], 100)) await this.advance(call.packetId);
  }

  /** Moves one call as far as it goes now; the call as it stands after. */
  async advance(id: string): Promise<InterchainCall | null> {
    const { store, holder } = this.o;
    if (!(await store.lease(id, holder, this.now() + (this.o.leaseMs ?? 15_000), this.now()))) return store.get(id);
    try {
      let call = (await store.get(id))!;
      // The steps a packet takes, with room for a step another relayer took first (CONFLICT: the
      // next step re-reads both chains); bounded, so a chain that refuses without saying why stops it.
      for (let i = 0; i < 6 && !FINAL_STATES.has(call.state); i++) {
        try {
          call = await this.step(call);
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
      }
      return call;
    } finally {
      await store.release(id, holder);
    }
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
    const at = await state(src, packet);
    if (at.state === 'acknowledged')
      return { ...call, state: 'acknowledged', ack: at.ack, txs: { ...call.txs, acknowledge: call.txs.acknowledge ?? at.txId } };
    if (at.state === 'timed-out') return { ...call, state: 'closed', txs: { ...call.txs, close: call.txs.close ?? at.txId } };
    if (at.state === 'unknown') throw new Error(`the source chain ${packet.srcChain} does not know packet ${call.packetId}`);
    const send = call.txs.send ?? at.txId;
    const there = await state(dst, packet);
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
    const evidence = await this.o.collector.withBlockAttestations(
      await src.interchain.evidence(call.txs.send!, { kind: 'packet', packetId: id }),
    );
    const attestations = await this.o.collector.interchain({ kind: 'packet', packet, evidence });
    call = { ...call, evidence: { ...call.evidence, packet: evidenceId(evidence) } };
    if (this.now() < packet.timeout) {
      try {
        const { receipt, ack } = await dst.interchain.deliver!(packet, attestations, dst.signer);
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
    const evidence = await this.o.collector.withBlockAttestations(
      await dst.interchain.evidence(call.txs.deliver, { kind: 'ack', packetId: id }),
    );
    const attestations = await this.o.collector.interchain({ kind: 'ack', packet, ack: ack!, evidence });
    call = { ...call, evidence: { ...call.evidence, ack: evidenceId(evidence) } };
    try {
      const receipt = await src.interchain.acknowledge!(packet, ack!, attestations, src.signer);
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
