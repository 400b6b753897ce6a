import {
  InvalidInputError,
  UnavailableError,
  ackCommitment,
  checkAck,
  checkPacket,
  deliveryAttestersFault,
  fromHex,
  isBsnError,
  packetId,
  type Ack,
  type ChainGrant,
  type DeliveryAttesters,
  type InterchainAttestation,
  type Packet,
  type PacketState,
  type Receipt,
  type Signer,
} from '@bsn/contract';
import { num, type RawReceipt } from '../chain.js';
import { appInterface } from '../abi.js';
import { toBsnError, revertOf } from '../errors.js';
import { liveValue } from '../kv-log.js';
import type { AdapterParts } from '../parts.js';
import { addressOf, signerAddress } from '../signer-bridge.js';
import { checkGrant } from './grant.js';
import {
  PACKET_ACKNOWLEDGED_TOPIC,
  PACKET_DELIVERED_TOPIC,
  STATE,
  ackOfLog,
  ackTuple,
  decodePacketDeliveredData,
  deliveryInterface,
  packetTuple,
} from './delivery-abi.js';

export type DeliveryDeps = Pick<AdapterParts, 'config' | 'chain' | 'sender' | 'registry' | 'finality' | 'logger'> & {
  outboxAddress(): Promise<string>;
};

/** How often deliver re-reads a kv.get's value when a write moved it between read and delivery. */
const GET_ATTEMPTS = 3;

/**
 * The delivery half on Ethereum (docs/interchain-delivery.md), through BsnPacketOutbox: every
 * check is the contract's, in the transaction that changes state; the adapter only refuses input
 * that could never be sent (shape) and maps the contract's custom errors to typed errors.
 */
export class EthereumDelivery {
  constructor(private readonly d: DeliveryDeps) {}

  async configureDelivery(attesters: DeliveryAttesters, signer: Signer): Promise<Receipt> {
    const fault = deliveryAttestersFault(attesters);
    if (fault) {
      const field = /threshold/.test(fault)
        ? '/threshold'
        : /attester (\d+)/.test(fault)
          ? `/publicKeys/${/attester (\d+)/.exec(fault)![1]}`
          : '/publicKeys';
      throw new InvalidInputError(`attesters: ${fault}`, { field });
    }
    signerAddress(signer, '/signer');
    const addresses = attesters.publicKeys.map((k, i) => addressOf(fromHex(k), `/publicKeys/${i}`));
    const data = deliveryInterface.encodeFunctionData('configureDelivery', [this.d.config.name, addresses, attesters.threshold]);
    return this.send(data, signer, `pinning ${attesters.threshold} of ${addresses.length} delivery attesters`);
  }

  async setGrant(appId: string, grant: ChainGrant, signer: Signer): Promise<Receipt> {
    const g = checkGrant(grant);
    const app = await this.d.registry.resolve(appId);
    const data = appInterface.encodeFunctionData('setGrant', [
      await this.d.outboxAddress(),
      g.direction === 'outgoing' ? 0 : 1,
      g.peerChain,
      g.peerApp,
      g.ref,
      g.methods,
      BigInt(g.expiresAt),
      g.revoked,
    ]);
    const what = `setting the ${g.direction} grant of ${appId} with ${g.peerChain}/${g.peerApp}`;
    try {
      return this.receiptOf(await this.d.sender.send({ to: app.address, data, what }, signer, { wait: 'final' }), `grant:${appId}`);
    } catch (error) {
      throw toBsnError(error, { stage: 'submit', what });
    }
  }

  async deliver(packet: Packet, attestations: InterchainAttestation[], signer: Signer): Promise<{ receipt: Receipt; ack: Ack }> {
    const p = checkPacket(packet);
    const signatures = signaturesOf(attestations);
    const id = packetId(p);
    for (let attempt = 1; ; attempt++) {
      const getValue = p.method === 'kv.get' ? await this.currentValue(p) : new Uint8Array();
      const data = deliveryInterface.encodeFunctionData('deliver', [packetTuple(p), signatures, getValue]);
      try {
        const raw = await this.sendRaw(data, signer, `delivering packet ${id}`);
        const log = raw.logs.find((l) => l.topics[0] === PACKET_DELIVERED_TOPIC && l.topics[1]?.toLowerCase() === '0x' + id);
        if (!log) throw new UnavailableError(`the delivery of ${id} committed without its PacketDelivered log`, { stage: 'commit' });
        return { receipt: await this.receiptOf(raw, `deliver:${id}`), ack: ackOfLog(id, decodePacketDeliveredData(log.data)) };
      } catch (error) {
        const stale = /kv\.get value supplied/.test(String(revertOf(error)?.args?.reason ?? ''));
        if (stale && attempt < GET_ATTEMPTS) continue;
        throw error;
      }
    }
  }

  async recordTimeout(packet: Packet, attestations: InterchainAttestation[], signer: Signer): Promise<Receipt> {
    const p = checkPacket(packet);
    const data = deliveryInterface.encodeFunctionData('recordTimeout', [packetTuple(p), signaturesOf(attestations)]);
    return this.send(data, signer, `recording packet ${packetId(p)} as timed out`);
  }

  async acknowledge(packet: Packet, ack: Ack, attestations: InterchainAttestation[], signer: Signer): Promise<Receipt> {
    const p = checkPacket(packet);
    const a = checkAck(ack);
    const data = deliveryInterface.encodeFunctionData('acknowledge', [packetTuple(p), ackTuple(a), signaturesOf(attestations)]);
    return this.send(data, signer, `acknowledging packet ${packetId(p)}`);
  }

  async closeTimedOut(packet: Packet, attestations: InterchainAttestation[], signer: Signer): Promise<Receipt> {
    const p = checkPacket(packet);
    const data = deliveryInterface.encodeFunctionData('closeTimedOut', [packetTuple(p), signaturesOf(attestations)]);
    return this.send(data, signer, `closing packet ${packetId(p)} as timed out`);
  }

  /**
   * The packet's state read from the chain. A packet from this chain to itself (a loopback) is
   * reported at its furthest step: sent, then delivered (target), then acknowledged or timed out (source).
   */
  async packetState(packet: Packet): Promise<PacketState> {
    const p = checkPacket(packet);
    const name = this.d.config.name;
    const id = packetId(p);
    const source = p.srcChain === name ? await this.sourceState(p, id) : undefined;
    if (source && source.state !== 'sent' && source.state !== 'unknown') return source;
    if (p.dstChain === name) {
      const target = await this.targetState(p, id);
      if (!source || target.state !== 'none') return target;
    }
    return source ?? { side: 'source', state: 'unknown' };
  }

  private async sourceState(p: Packet, id: string): Promise<PacketState> {
    const [commitment, state, blockNumber, stored] = await this.view<[string, bigint, bigint, string]>('sourceState', [
      p.srcApp,
      p.dstChain,
      p.dstApp,
      p.seq,
    ]);
    if (/^0x0+$/.test(commitment)) return { side: 'source', state: 'unknown' };
    if (Number(state) === STATE.none) return { side: 'source', state: 'sent' };
    const log = await this.logOf(Number(blockNumber), Number(state) === STATE.acknowledged ? PACKET_ACKNOWLEDGED_TOPIC : undefined, id);
    if (Number(state) === STATE.timedOut) return { side: 'source', state: 'timed-out', ...(log && { txId: log.transactionHash }) };
    if (!log) throw new UnavailableError(`the node has no PacketAcknowledged log of ${id} in block ${blockNumber}`, { stage: 'query' });
    const tx = await this.d.chain.transaction(log.transactionHash);
    const call = tx ? deliveryInterface.parseTransaction({ data: tx.input }) : null;
    const [packetIdHex, commitmentHex, status, result] = (call?.args[1] ?? []) as unknown as [string, string, bigint, string];
    const ack =
      call?.name === 'acknowledge'
        ? ackOfLog(packetIdHex.slice(2), { commitment: commitmentHex, status, result, ackCommitment: stored })
        : undefined;
    if (!ack || '0x' + ackCommitment(ack) !== stored.toLowerCase())
      throw new UnavailableError(`the acknowledgement of ${id} cannot be read back from ${log.transactionHash}`, { stage: 'query' });
    return { side: 'source', state: 'acknowledged', ack, txId: log.transactionHash };
  }

  private async targetState(p: Packet, id: string): Promise<PacketState> {
    const [state, , blockNumber, stored] = await this.view<[bigint, bigint, bigint, string]>('targetState', ['0x' + id]);
    if (Number(state) === STATE.none) return { side: 'target', state: 'none' };
    if (Number(state) === STATE.timedOut) {
      const log = await this.logOf(Number(blockNumber), undefined, id);
      return { side: 'target', state: 'timed-out', ...(log && { txId: log.transactionHash }) };
    }
    const log = await this.logOf(Number(blockNumber), PACKET_DELIVERED_TOPIC, id);
    if (!log) throw new UnavailableError(`the node has no PacketDelivered log of ${id} in block ${blockNumber}`, { stage: 'query' });
    const ack = ackOfLog(id, decodePacketDeliveredData(log.data));
    if ('0x' + ackCommitment(ack) !== stored.toLowerCase())
      throw new UnavailableError(`the PacketDelivered log of ${id} is not the ack recorded`, { stage: 'query' });
    return { side: 'target', state: 'delivered', ack, txId: log.transactionHash };
  }

  private async logOf(block: number, topic: string | undefined, id: string) {
    const logs = await this.d.chain.logs({
      address: await this.d.outboxAddress(),
      fromBlock: block,
      toBlock: block,
      topics: [topic ?? null, '0x' + id],
    });
    return logs.at(-1);
  }

  /** The live value of a kv.get packet's key, which the contract checks against the stored hash (empty when absent). */
  private async currentValue(p: Packet): Promise<Uint8Array> {
    let app;
    try {
      app = await this.d.registry.resolve(p.dstApp);
    } catch (error) {
      if (isBsnError(error, 'NOT_FOUND')) return new Uint8Array(); // the contract refuses the packet itself
      throw error;
    }
    let key: string;
    try {
      key = new TextDecoder('utf-8', { fatal: true }).decode(fromBase64Bytes(p.payload));
    } catch {
      return new Uint8Array(); // an INVALID_INPUT ack: no value is read
    }
    const out = await this.d.chain.call({ to: app.address, data: appInterface.encodeFunctionData('entry', [key]) }, 'latest');
    const [live, valueHash, lastBlock] = appInterface.decodeFunctionResult('entry', out) as unknown as [boolean, string, bigint];
    if (!live) return new Uint8Array();
    return (await liveValue(this.d.chain, app, key, Number(lastBlock), valueHash)).value;
  }

  private async view<T>(fn: 'sourceState' | 'targetState', args: unknown[]): Promise<T> {
    try {
      const out = await this.d.chain.call(
        { to: await this.d.outboxAddress(), data: deliveryInterface.encodeFunctionData(fn, args) },
        'latest',
      );
      return deliveryInterface.decodeFunctionResult(fn, out) as unknown as T;
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what: `reading ${fn}` });
    }
  }

  private async send(data: string, signer: Signer, what: string): Promise<Receipt> {
    return this.receiptOf(await this.sendRaw(data, signer, what), what);
  }

  private async sendRaw(data: string, signer: Signer, what: string): Promise<RawReceipt> {
    signerAddress(signer, '/signer');
    const to = await this.d.outboxAddress();
    try {
      return await this.d.sender.send({ to, data, what }, signer, { wait: 'final' });
    } catch (error) {
      throw toBsnError(error, { stage: 'submit', what });
    }
  }

  private async receiptOf(raw: RawReceipt, requestId: string): Promise<Receipt> {
    const number = num(raw.blockNumber);
    return {
      txId: raw.transactionHash,
      requestId,
      status: 'committed',
      block: { number, hash: raw.blockHash },
      events: [],
      timestamp: await this.d.chain.timestampMs(number, raw.blockHash),
    };
  }
}

function fromBase64Bytes(b64: string): Uint8Array {
  return new Uint8Array(Buffer.from(b64, 'base64'));
}

/** The signatures of the attestations, as the contract counts them (it recovers and checks each itself). */
function signaturesOf(attestations: InterchainAttestation[]): string[] {
  if (!Array.isArray(attestations)) throw new InvalidInputError('/attestations: must be an array', { field: '/attestations' });
  return attestations.map((a, i) => {
    if (typeof a?.signature !== 'string' || !/^[0-9a-f]{130}$/.test(a.signature))
      throw new InvalidInputError(`/attestations/${i}/signature: must be 65 bytes of lowercase hex`, {
        field: `/attestations/${i}/signature`,
      });
    return '0x' + a.signature;
  });
}
