/**
 * Interchain on EOS: packets sent by the preset contract's `emit`, evidence against pinned
 * producer keys, and delivery (docs/interchain-delivery.md) by the contract's delivery actions.
 */
import {
  checkAttesterPolicy,
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
import { toBsnError } from '../errors.js';
import { FRAMEWORK } from '../framework.js';
import type { NodeApi } from '../node-api.js';
import type { EosDelivery } from './delivery.js';
import type { PacketSender } from './emit.js';
import type { PacketStates } from './packet-state.js';
import type { EvidenceBuilder } from './evidence.js';
import type { EosRoots } from './trust.js';
import { verifyEosEvidence } from './verify.js';

/** The roots of the chain `api` is connected to: the contract and the active producer schedule. */
export async function currentRoots(api: NodeApi, chain: string, contract: string): Promise<TrustRoots> {
  try {
    const { active } = await api.producerSchedule();
    const roots: EosRoots = {
      contract,
      schedule: {
        version: active.version,
        producers: active.producers.map((p) => {
          const keys = p.authority[1].keys;
          if (p.authority[1].threshold !== 1 || keys.length !== 1) {
            throw new Error(`producer ${p.producer_name} signs with a multi-key authority, which these proofs do not cover`);
          }
          return { name: p.producer_name, key: keys[0]!.key };
        }),
      },
    };
    return { framework: FRAMEWORK, chain, roots: roots as unknown as Record<string, unknown> };
  } catch (error) {
    throw toBsnError(error, { stage: 'query', what: 'reading the producer schedule' });
  }
}

export class EosInterchain implements Interchain {
  constructor(
    private readonly sender: PacketSender,
    private readonly builder: EvidenceBuilder,
    private readonly roots: () => Promise<TrustRoots>,
    private readonly delivery: EosDelivery,
    private readonly states: PacketStates,
  ) {}

  emit(app: AppRef, packet: PacketInput, signer: Signer): Promise<{ packet: Packet; receipt: Receipt }> {
    return this.sender.emit(app, packet, signer);
  }

  evidence(txId: string, subject: Evidence['subject']): Promise<Evidence> {
    return this.builder.evidence(txId, subject);
  }

  verify(evidence: Evidence, trust: TrustRoots): Promise<Verification> {
    return verifyEosEvidence(evidence, trust);
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

  packetState(packet: Packet): Promise<PacketState> {
    return this.states.packetState(packet);
  }

  async trustRoots(attesters: Attester[], threshold: number): Promise<TrustRoots> {
    const policy = checkAttesterPolicy(attesters, threshold);
    const trust = await this.roots();
    return { ...trust, roots: { ...trust.roots, attesters: policy.attesters, threshold: policy.threshold } };
  }
}
