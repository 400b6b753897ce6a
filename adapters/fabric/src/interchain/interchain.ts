import {
  InvalidInputError,
  NotFoundError,
  RejectedByChainError,
  UnavailableError,
  checkAttesterPolicy,
  checkEmitRequest,
  checkAck,
  isPacketId,
  checkPacket,
  packetBytes,
  packetId,
  type Ack,
  type AppRef,
  type Attester,
  type ChainGrant,
  type DeliveryAttesters,
  type InterchainAttestation,
  type PacketState,
  type Evidence,
  type Interchain,
  type Packet,
  type PacketInput,
  type Receipt,
  type Signer,
  type TrustRoots,
  type Verification,
} from '@bsn/contract';
import { FRAMEWORK } from '../describe.js';
import type { BlockTransaction, DecodedBlock } from '../blocks.js';
import { checkAlgorithm } from '../signer-bridge.js';
import { checkTxId } from '../validation.js';
import type { InterchainDeps } from './deps.js';
import { FabricDelivery } from './delivery.js';
import { deliveryEventName, packetEventName, type FabricProof } from './proof.js';
import { checkRoots, parseSignaturePolicy, type FabricRoots } from './trust.js';
import { KeyedQueue } from './send-queue.js';
import { verifyFabricEvidence } from './verify.js';

/** `{ kind: 'packet' | 'ack' | 'timeout', packetId }`, or InvalidInputError naming the field. */
function checkSubject(subject: unknown): Evidence['subject'] {
  if (typeof subject !== 'object' || subject === null)
    throw new InvalidInputError('/subject: must be { kind, packetId }', { field: '/subject' });
  const { kind, packetId: id } = subject as Partial<Evidence['subject']>;
  if (kind !== 'packet' && kind !== 'ack' && kind !== 'timeout')
    throw new InvalidInputError('/subject/kind: must be packet, ack or timeout', { field: '/subject/kind' });
  if (!isPacketId(id))
    throw new InvalidInputError('/subject/packetId: must be a packet id (64 lowercase hex digits)', { field: '/subject/packetId' });
  return { kind, packetId: id };
}

export type { InterchainDeps } from './deps.js';

/**
 * Interchain on Fabric: packets go out through the preset chaincode's `sendPacket` (seq assigned
 * in world state, the packet bound in the endorsed write set and event); evidence is the
 * committed block with the transaction's index; verification is `verifyFabricEvidence`, which
 * needs nothing but the block and the pinned roots. Delivery (deliver, acks, timeouts, grants)
 * runs through the chaincode's BsnInterchain contract (delivery.ts); evidence of an ack or a
 * timeout record is the target's block as well.
 */
export class FabricInterchain implements Interchain {
  private readonly delivery: FabricDelivery;
  /** Sends per seq counter (srcApp, dstChain, dstApp), one at a time: see send-queue.ts. */
  private readonly sends = new KeyedQueue();

  constructor(private readonly d: InterchainDeps) {
    this.delivery = new FabricDelivery(d);
  }

  configureDelivery(attesters: DeliveryAttesters, signer: Signer): Promise<Receipt> {
    return this.delivery.configureDelivery(attesters, signer);
  }

  setGrant(app: AppRef, grant: ChainGrant, signer: Signer): Promise<Receipt> {
    return this.delivery.setGrant(app, grant, signer);
  }

  deliver(packet: Packet, attestations: InterchainAttestation[], signer: Signer): Promise<{ receipt: Receipt; ack: Ack }> {
    return this.delivery.deliver(packet, attestations, signer);
  }

  recordTimeout(packet: Packet, attestations: InterchainAttestation[], signer: Signer): Promise<Receipt> {
    return this.delivery.recordTimeout(packet, attestations, signer);
  }

  acknowledge(packet: Packet, ack: Ack, attestations: InterchainAttestation[], signer: Signer): Promise<Receipt> {
    return this.delivery.acknowledge(packet, ack, attestations, signer);
  }

  closeTimedOut(packet: Packet, attestations: InterchainAttestation[], signer: Signer): Promise<Receipt> {
    return this.delivery.closeTimedOut(packet, attestations, signer);
  }

  packetState(packet: Packet, side?: 'source' | 'target'): Promise<PacketState> {
    return this.delivery.packetState(packet, side);
  }

  async emit(app: AppRef, input: PacketInput, signer: Signer): Promise<{ packet: Packet; receipt: Receipt }> {
    // Refuses malformed input before anything touches the chain (the chaincode checks again).
    const { srcApp, fields } = checkEmitRequest(app, input, this.d.config.name);
    checkAlgorithm(signer?.algorithm, '/signer/algorithm');
    const what = `sending a packet from ${srcApp} to ${fields.dstChain}/${fields.dstApp}`;
    const gateway = await this.d.connection.gatewayFor(signer);
    try {
      const counter = [srcApp, fields.dstChain, fields.dstApp].join('\u0000');
      const committed = await this.sends.run(counter, () =>
        this.d.transactor.transact(gateway, 'sendPacket', [srcApp, JSON.stringify(fields)], {
          what,
          deadline: Date.now() + this.d.config.submitTimeoutMs,
        }),
      );
      let packet: Packet;
      try {
        packet = checkPacket(JSON.parse(Buffer.from(committed.result).toString('utf8')));
      } catch (cause) {
        throw new UnavailableError(`${what}: the chaincode answered with no packet (${(cause as Error).message})`, {
          stage: 'commit',
          txId: committed.txId,
          cause,
          detail: { framework: FRAMEWORK },
        });
      }
      for (const [k, v] of Object.entries({ ...fields, srcApp })) {
        if (packet[k as keyof Packet] !== v) {
          throw new UnavailableError(`${what}: the chaincode sent a packet whose ${k} is not the one asked for`, {
            stage: 'commit',
            txId: committed.txId,
            detail: { framework: FRAMEWORK },
          });
        }
      }
      return { packet, receipt: this.d.transactor.receiptOf(committed, `packet:${packetId(packet)}`) };
    } finally {
      gateway.close();
    }
  }

  async evidence(txId: string, subject: Evidence['subject']): Promise<Evidence> {
    const id = checkTxId(txId);
    const wanted = checkSubject(subject);
    const decoded = await this.d.ledger.blockOf(id); // NotFoundError for a transaction the ledger does not hold
    const bytes = await this.d.ledger.blockBytes(decoded.number);
    const tx = decoded.transactions.find((t) => t.txId === id)!;
    if (!tx.valid) {
      throw new RejectedByChainError(
        `transaction ${id} is flagged ${tx.validationName} in block ${decoded.number}: it committed no packet`,
        {
          stage: 'commit',
          txId: id,
          detail: { framework: FRAMEWORK, code: tx.validationName, data: { block: decoded.number } },
        },
      );
    }
    if (tx.chaincode !== this.d.config.chaincode || !tx.event || tx.event.chaincode !== this.d.config.chaincode) {
      throw new NotFoundError(`transaction ${id} sent no packet through chaincode ${this.d.config.chaincode}`, {
        stage: 'query',
        txId: id,
      });
    }
    if (wanted.kind !== 'packet')
      return this.deliveryEvidence(decoded, bytes, tx, wanted as Evidence['subject'] & { kind: 'ack' | 'timeout' });
    let packet: Packet;
    try {
      packet = checkPacket(JSON.parse(Buffer.from(tx.event.payload).toString('utf8')));
    } catch {
      throw new NotFoundError(`transaction ${id} emitted ${tx.event.name}, not a packet`, { stage: 'query', txId: id });
    }
    if (tx.event.name !== packetEventName(packet.srcApp) || !Buffer.from(packetBytes(packet)).equals(Buffer.from(tx.event.payload))) {
      throw new NotFoundError(`transaction ${id} emitted ${tx.event.name}, not a packet`, { stage: 'query', txId: id });
    }
    if (packetId(packet) !== wanted.packetId) {
      throw new NotFoundError(`transaction ${id} carries packet ${packetId(packet)}, not ${wanted.packetId}`, { stage: 'query', txId: id });
    }
    const proof: FabricProof = { block: Buffer.from(bytes).toString('base64'), txIndex: tx.index, packet };
    return {
      v: 1,
      framework: FRAMEWORK,
      chain: this.d.config.name,
      subject: wanted,
      txId: id,
      block: decoded.number,
      blockHash: decoded.hash,
      proof: proof as unknown as Record<string, unknown>,
    };
  }

  /** Evidence of a delivery (its ack) or a timeout record: the target's transaction, the packet it was called with. */
  private deliveryEvidence(
    decoded: DecodedBlock,
    bytes: Uint8Array,
    tx: BlockTransaction,
    wanted: Evidence['subject'] & { kind: 'ack' | 'timeout' },
  ): Evidence {
    const notIt = (why: string) => new NotFoundError(`transaction ${tx.txId} ${why}`, { stage: 'query', txId: tx.txId });
    let packet: Packet;
    try {
      packet = checkPacket(JSON.parse(Buffer.from(tx.args?.[0] ?? new Uint8Array()).toString('utf8')));
    } catch {
      throw notIt(`is no ${wanted.kind === 'ack' ? 'delivery' : 'timeout record'} of a packet`);
    }
    if (tx.event!.name !== deliveryEventName(packet.dstApp, wanted.kind))
      throw notIt(`emitted ${tx.event!.name}, not the packet's ${wanted.kind}`);
    if (packetId(packet) !== wanted.packetId) throw notIt(`answers packet ${packetId(packet)}, not ${wanted.packetId}`);
    if (wanted.kind === 'ack') checkAck(JSON.parse(Buffer.from(tx.event!.payload).toString('utf8')));
    const proof: FabricProof = { block: Buffer.from(bytes).toString('base64'), txIndex: tx.index, packet };
    return {
      v: 1,
      framework: FRAMEWORK,
      chain: this.d.config.name,
      subject: { kind: wanted.kind, packetId: wanted.packetId },
      txId: tx.txId,
      block: decoded.number,
      blockHash: decoded.hash,
      proof: proof as unknown as Record<string, unknown>,
    };
  }

  async verify(evidence: Evidence, trust: TrustRoots): Promise<Verification> {
    return verifyFabricEvidence(evidence, trust);
  }

  /**
   * The roots a city node connected to this network would pin, from the network config: the
   * channel and chaincode, every peer org's CA certificates, the orderer org's, and the
   * chaincode's endorsement policy (the config's `chaincodes[].endorsementPolicy` when it is a
   * flat AND/OR/OutOf of one role, else all-of every org with the peer role, which asks at
   * least as much). With `attesters` and `threshold`, t of those city nodes must also attest the
   * block; without both, the orderer's signature alone makes the block final.
   */
  async trustRoots(attesters?: Attester[], threshold?: number): Promise<TrustRoots> {
    const policy = attesters !== undefined || threshold !== undefined ? checkAttesterPolicy(attesters, threshold) : undefined;
    const { pins, channel, chaincode, mspIds } = this.d.config;
    if (!pins.orderer) {
      throw new InvalidInputError(
        'the network config names no orderer org with its CA certificate (orderer.mspId, orderer.ca.certificate): blocks cannot be checked without it',
        { field: '/orderer' },
      );
    }
    const parsed = pins.endorsementPolicy ? parseSignaturePolicy(pins.endorsementPolicy) : undefined;
    const roots: FabricRoots = {
      channel,
      chaincode,
      orgs: pins.orgs.map((o) => ({ mspId: o.mspId, caCerts: [...o.caCerts] })),
      orderer: { mspId: pins.orderer.mspId, caCerts: [...pins.orderer.caCerts] },
      policy: parsed ?? { kind: 'all-of', mspIds: [...mspIds], role: 'peer' },
      ...policy,
    };
    const trust: TrustRoots = { framework: FRAMEWORK, chain: this.d.config.name, roots: roots as unknown as Record<string, unknown> };
    const checked = checkRoots(trust);
    if (!checked.ok)
      throw new InvalidInputError(`the network config does not make sound trust roots: ${checked.reason}`, { field: '/organizations' });
    return trust;
  }
}
