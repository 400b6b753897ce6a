import {
  InvalidInputError,
  NotFoundError,
  RejectedByChainError,
  UnavailableError,
  checkAttesterPolicy,
  checkEmitRequest,
  checkEvidenceSubject,
  checkPacket,
  packetBytes,
  packetId,
  type AppRef,
  type Attester,
  type Evidence,
  type Interchain,
  type Packet,
  type PacketInput,
  type Receipt,
  type Signer,
  type TrustRoots,
  type Verification,
} from '@bsn/contract';
import type { ResolvedConfig } from '../config.js';
import type { FabricConnection } from '../connection.js';
import { FRAMEWORK } from '../describe.js';
import type { Ledger } from '../ledger.js';
import { checkAlgorithm } from '../signer-bridge.js';
import type { Transactor } from '../transactions.js';
import { checkTxId } from '../validation.js';
import { packetEventName, type FabricProof } from './proof.js';
import { checkRoots, parseSignaturePolicy, type FabricRoots } from './trust.js';
import { verifyFabricEvidence } from './verify.js';

export interface InterchainDeps {
  config: ResolvedConfig;
  connection: FabricConnection;
  ledger: Ledger;
  transactor: Transactor;
}

/**
 * Interchain on Fabric: packets go out through the preset chaincode's `sendPacket` (seq assigned
 * in world state, the packet bound in the endorsed write set and event); evidence is the
 * committed block with the transaction's index; verification is `verifyFabricEvidence`, which
 * needs nothing but the block and the pinned roots. Delivery comes later.
 */
export class FabricInterchain implements Interchain {
  constructor(private readonly d: InterchainDeps) {}

  async emit(app: AppRef, input: PacketInput, signer: Signer): Promise<{ packet: Packet; receipt: Receipt }> {
    // Refuses malformed input before anything touches the chain (the chaincode checks again).
    const { srcApp, fields } = checkEmitRequest(app, input, this.d.config.name);
    checkAlgorithm(signer?.algorithm, '/signer/algorithm');
    const what = `sending a packet from ${srcApp} to ${fields.dstChain}/${fields.dstApp}`;
    const gateway = await this.d.connection.gatewayFor(signer);
    try {
      const committed = await this.d.transactor.transact(gateway, 'sendPacket', [srcApp, JSON.stringify(fields)], {
        what,
        deadline: Date.now() + this.d.config.submitTimeoutMs,
      });
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
    const wanted = checkEvidenceSubject(subject);
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
