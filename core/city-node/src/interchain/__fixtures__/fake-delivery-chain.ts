/**
 * Test fake at the adapter boundary: one chain's Interchain members, honouring
 * docs/interchain-delivery.md with core's own checks (countAttestations over the commitment it
 * rebuilds, receipts set once, the chain's clock against the timeout). Its evidence is proven by
 * its verifier only when this chain committed exactly what the evidence claims — a forged or
 * tampered evidence is `rejected`. Real chains replace it in the e2e tests.
 */
import type { Evidence, Interchain, Packet, PacketInput, PacketState, Receipt, TrustRoots, Verification } from '@bsn/contract';
import {
  ConflictError,
  UnauthorizedError,
  ackCommitment,
  ackFor,
  countAttestations,
  fromBase64,
  packetCommitment,
  packetId,
  decodePacketCall,
  type Ack,
  type DeliveryAttesters,
  type InterchainAttestation,
} from '@bsn/contract';

interface Tx {
  kind: 'packet' | 'ack' | 'timeout';
  packetId: string;
  packet: Packet;
  ack?: Ack;
}

export class FakeDeliveryChain {
  readonly kv = new Map<string, string>();
  /** How many packets executed here (exactly-once checks count these). */
  executions = 0;
  readonly sent = new Map<string, { packet: Packet; state: 'sent' | 'acknowledged' | 'timed-out'; ack?: Ack; txId: string }>();
  readonly received = new Map<string, { state: 'delivered' | 'timed-out'; ack?: Ack; txId: string }>();
  private readonly txs = new Map<string, Tx>();
  private seq = 0;
  private height = 0;
  pinned: DeliveryAttesters = { publicKeys: [], threshold: 1 };
  clock: () => number = Date.now;

  constructor(readonly name: string) {}

  private commit(tx: Tx): Receipt {
    const txId = `${this.name}-tx-${++this.height}`;
    this.txs.set(txId, tx);
    return {
      txId,
      requestId: txId,
      status: 'committed',
      block: { number: this.height, hash: 'ab'.repeat(32) },
      events: [],
      timestamp: this.clock(),
    };
  }

  private attested(kind: 'packet' | 'ack' | 'timeout', commitment: string, atts: InterchainAttestation[]): void {
    const counted = countAttestations(kind, commitment, atts, this.pinned);
    if (!counted.ok) throw new UnauthorizedError(`attestations below threshold: ${counted.reason}`);
  }

  readonly interchain: Interchain = {
    emit: async (app, input: PacketInput) => {
      const packet: Packet = { v: 1, srcChain: this.name, srcApp: app.appId, seq: ++this.seq, ...input };
      const receipt = this.commit({ kind: 'packet', packetId: packetId(packet), packet });
      this.sent.set(packetId(packet), { packet, state: 'sent', txId: receipt.txId });
      return { packet, receipt };
    },
    evidence: async (txId, subject) => {
      const tx = this.txs.get(txId);
      return {
        v: 1,
        framework: 'fake',
        chain: this.name,
        subject,
        txId,
        block: Number(txId.split('-').pop()),
        proof: { packet: tx?.packet, ...(tx?.ack && { ack: tx.ack }) },
      } satisfies Evidence;
    },
    verify: async (e: Evidence, trust: TrustRoots): Promise<Verification> => {
      if (trust.roots['chain'] !== this.name || e.chain !== this.name) return { state: 'rejected', reason: 'roots of another chain' };
      const tx = this.txs.get(e.txId);
      if (!tx || tx.kind !== e.subject.kind || tx.packetId !== e.subject.packetId)
        return { state: 'rejected', reason: 'no such transaction' };
      const claimed = e.proof['packet'] as Packet | undefined;
      if (!claimed || packetCommitment(claimed) !== packetCommitment(tx.packet)) return { state: 'rejected', reason: 'the packet differs' };
      if (tx.kind === 'ack') {
        const ack = e.proof['ack'] as Ack | undefined;
        if (!ack || ackCommitment(ack) !== ackCommitment(tx.ack!)) return { state: 'rejected', reason: 'the ack differs' };
        return { state: 'proven', subject: e.subject, packet: tx.packet, ack: tx.ack! };
      }
      return { state: 'proven', subject: e.subject, packet: tx.packet };
    },
    deliver: async (packet, atts) => {
      const id = packetId(packet);
      this.attested('packet', packetCommitment(packet), atts);
      const r = this.received.get(id);
      if (r) throw new ConflictError(r.state === 'delivered' ? 'already delivered' : 'timed out');
      if (this.clock() >= packet.timeout) throw new ConflictError('timed out');
      this.executions++;
      let ack: Ack;
      try {
        const call = decodePacketCall(packet.method, fromBase64(packet.payload));
        if (call.method === 'kv.put') this.kv.set(call.key, Buffer.from(call.value).toString('utf8'));
        ack = ackFor(packet, 'OK');
      } catch {
        ack = ackFor(packet, 'INVALID_INPUT');
      }
      const receipt = this.commit({ kind: 'ack', packetId: id, packet, ack });
      this.received.set(id, { state: 'delivered', ack, txId: receipt.txId });
      return { receipt, ack };
    },
    recordTimeout: async (packet, atts) => {
      const id = packetId(packet);
      this.attested('packet', packetCommitment(packet), atts);
      if (this.received.has(id)) throw new ConflictError('already delivered');
      if (this.clock() < packet.timeout) throw new ConflictError('not timed out yet');
      const receipt = this.commit({ kind: 'timeout', packetId: id, packet });
      this.received.set(id, { state: 'timed-out', txId: receipt.txId });
      return receipt;
    },
    acknowledge: async (packet, ack, atts) => {
      const s = this.sent.get(packetId(packet));
      this.attested('ack', ackCommitment(ack), atts);
      if (!s || s.state !== 'sent') throw new ConflictError('already acknowledged or closed');
      const receipt = this.commit({ kind: 'ack', packetId: packetId(packet), packet, ack });
      Object.assign(s, { state: 'acknowledged', ack });
      return receipt;
    },
    closeTimedOut: async (packet, atts) => {
      const s = this.sent.get(packetId(packet));
      this.attested('timeout', packetCommitment(packet), atts);
      if (!s || s.state !== 'sent') throw new ConflictError('already acknowledged or closed');
      const receipt = this.commit({ kind: 'timeout', packetId: packetId(packet), packet });
      s.state = 'timed-out';
      return receipt;
    },
    packetState: async (packet): Promise<PacketState> => {
      const id = packetId(packet);
      if (packet.srcChain === this.name) {
        const s = this.sent.get(id);
        if (!s) return { side: 'source', state: 'unknown' };
        return s.state === 'acknowledged'
          ? { side: 'source', state: 'acknowledged', ack: s.ack!, txId: s.txId }
          : { side: 'source', state: s.state, txId: s.txId };
      }
      const r = this.received.get(id);
      if (!r) return { side: 'target', state: 'none' };
      return r.state === 'delivered'
        ? { side: 'target', state: 'delivered', ack: r.ack!, txId: r.txId }
        : { side: 'target', state: 'timed-out', txId: r.txId };
    },
  };
}
