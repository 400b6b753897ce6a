import type { AppRef } from './lifecycle.js';
import type { Receipt } from './gateway.js';
import type { Signer } from './keys.js';
import type { Attester, BlockAttestation } from '../interchain/attestation.js';

/**
 * A cross-chain request, IBC-style. `seq` is assigned by the source per (srcApp, dstApp);
 * the packet id is derived from (srcChain, srcApp, dstChain, dstApp, seq) by
 * `packetId()` in core and never taken from input.
 */
export interface Packet {
  v: 1;
  srcChain: string;
  srcApp: string;
  dstChain: string;
  dstApp: string;
  seq: number;
  method: string;
  /** base64 */
  payload: string;
  /** ms since epoch; after it the packet may only be refunded, never delivered. */
  timeout: number;
  /** Id of the grant (source app → target app) this packet relies on. */
  grantRef: string;
}

export type PacketInput = Omit<Packet, 'v' | 'srcChain' | 'srcApp' | 'seq'>;

/**
 * Proof that something (a packet on its source; the ack, or the timeout record, on its target) is committed on
 * `chain`. `proof` is framework-specific and opaque to everyone but that framework's
 * verifier: Fabric block + validation flag + orderer signatures + endorsements; Ethereum
 * receipt inclusion proof + header final by depth or city-node attestations; FISCO BCOS
 * receipt proof + sealer signatures; EOS action proof + irreversibility.
 */
export interface Evidence {
  v: 1;
  framework: string;
  chain: string;
  subject: { kind: 'packet' | 'ack' | 'timeout'; packetId: string };
  txId: string;
  block: number;
  /**
   * Hash of `block` as the framework names it, where attesters vouch for blocks (Ethereum).
   * Together with `chain` and `block` it is what a city node checks on its own connection
   * (`Gateway.block(n, { appId: packet.srcApp })` has the same hash: the source app's ledger)
   * before signing `attestBlock()` for it.
   */
  blockHash?: string;
  proof: Record<string, unknown>;
  /**
   * Block attestations (core `attestBlock()`, domain `block-attestation`) that `block` with
   * `blockHash` is final on `chain`, signed by city nodes and added by them after the adapter
   * produced the evidence. The verifier counts only pinned attesters, each once, over the
   * block it rebuilt from `proof` itself, never trusting `blockHash` as given.
   */
  attestations?: BlockAttestation[];
}

/** The keys and roots a verifier trusts for one chain, pinned by the city node's config. */
export interface TrustRoots {
  framework: string;
  chain: string;
  /** Framework-specific: org CA certificates, attester public keys with threshold, sealer keys… */
  roots: Record<string, unknown>;
}

/** The verifier's answer. Anything short of `proven` must be treated as unproven. */
export type Verification =
  { state: 'proven'; subject: Evidence['subject']; packet?: Packet; ack?: Ack } | { state: 'rejected'; reason: string };

export interface Interchain {
  /** Writes the packet on the source chain; the receipt is final before this resolves. */
  emit(app: AppRef, packet: PacketInput, signer: Signer): Promise<{ packet: Packet; receipt: Receipt }>;
  /** Evidence that `txId` committed the packet (or ack) named. */
  evidence(txId: string, subject: Evidence['subject']): Promise<Evidence>;
  /**
   * Checks evidence produced by an adapter of this framework against pinned roots,
   * rebuilding every signed byte itself. Never throws for bad evidence: answers `rejected`.
   */
  verify(evidence: Evidence, trust: TrustRoots): Promise<Verification>;
  // The delivery half (docs/interchain-delivery.md): present together when the adapter claims
  // `interchain.deliver`; an adapter that does not leaves all of them out (no stub that refuses).
  // Each checks on chain, in the transaction that changes state, what it relies on: t-of-M pinned
  // attesters signed the commitment the chain rebuilds, the packet's state, its timeout by the
  // chain's clock, the grants. A refusal is a typed error and changes nothing.
  /** Operator: pins the attesters this chain's interchain contract counts (t > M/2). */
  configureDelivery?(attesters: DeliveryAttesters, signer: Signer): Promise<Receipt>;
  /** The app owner's side of a grant, kept on the app's chain and re-checked at send and at delivery. */
  setGrant?(app: AppRef, grant: ChainGrant, signer: Signer): Promise<Receipt>;
  /**
   * Target: executes the packet on `packet.dstApp` exactly once — attested, no receipt yet, before
   * its timeout, granted by the target app for this source and method, a method packets may call —
   * setting the receipt and writing the ack in that same transaction. A call that fails inside is
   * still delivered, with an error ack.
   */
  deliver?(packet: Packet, attestations: InterchainAttestation[], signer: Signer): Promise<{ receipt: Receipt; ack: Ack }>;
  /** Target: records an attested packet, past its timeout and never delivered, as timed out (so it never will be). */
  recordTimeout?(packet: Packet, attestations: InterchainAttestation[], signer: Signer): Promise<Receipt>;
  /** Source: records the attested ack of a packet it sent, once, and emits the app's callback event. */
  acknowledge?(packet: Packet, ack: Ack, attestations: InterchainAttestation[], signer: Signer): Promise<Receipt>;
  /** Source: closes a packet it sent as timed out, on an attested timeout record from its target. */
  closeTimedOut?(packet: Packet, attestations: InterchainAttestation[], signer: Signer): Promise<Receipt>;
  /** A packet's state on this chain, read from the chain: as its source (`sent`…) or as its target (`delivered`…). */
  packetState?(packet: Packet): Promise<PacketState>;
  /**
   * Optional: the roots a city node connected to this adapter's chain would pin to verify
   * its evidence, with `attesters` (t = `threshold` of them must attest a block) as the
   * attestation policy. Lets framework-neutral callers (the conformance kit, node setup)
   * build roots without knowing the framework's root shape; verifiers must still take roots
   * from their own configuration, never from the evidence's producer.
   */
  trustRoots?(attesters: Attester[], threshold: number): Promise<TrustRoots>;
}

/** One side of an app-to-app grant as the app's chain keeps it. */
export interface ChainGrant {
  /** `outgoing`: this app may send to the peer; `incoming`: the peer may call this app. */
  direction: 'outgoing' | 'incoming';
  peerChain: string;
  peerApp: string;
  /** The grant's id; a packet's `grantRef` must name the source's outgoing grant. */
  ref: string;
  /** Methods allowed; for `outgoing` the methods the source may call. At least one. */
  methods: string[];
  /** ms since epoch, 0 for never. */
  expiresAt: number;
  /** A revoked grant stops new packets and deliveries. */
  revoked: boolean;
}

/**
 * A packet as one chain knows it. Source: `sent` until an attested ack (`acknowledged`) or an
 * attested timeout record (`timed-out`); target: `none` until `delivered` (with its ack) or
 * `timed-out`. `unknown`: this chain is neither the packet's source nor its target. A loopback
 * packet (source and target on this chain) answers its furthest step: `sent`, then the target's
 * `delivered` (or `timed-out`), then the source's `acknowledged` (or `timed-out`).
 */
export type PacketState =
  | { side: 'source'; state: 'unknown' | 'sent'; txId?: string }
  | { side: 'source'; state: 'acknowledged'; ack: Ack; txId?: string }
  | { side: 'source'; state: 'timed-out'; txId?: string }
  | { side: 'target'; state: 'none' | 'timed-out'; txId?: string }
  | { side: 'target'; state: 'delivered'; ack: Ack; txId?: string };

/** How a delivered call ended on the target: `OK`, or the typed error code of its failure. */
export type AckStatus = 'OK' | 'INVALID_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'REJECTED_BY_CHAIN' | 'UNAUTHORIZED';

/** The target's answer to a packet, written once in the transaction that executed it. */
export interface Ack {
  packetId: string;
  /** `packetCommitment()` of the packet answered (hex): binds the ack to every packet field. */
  commitment: string;
  status: AckStatus;
  /** base64: the call's result (`OK`) or empty. */
  result: string;
}

/** What an attestation vouches for: a packet committed on its source, an ack or a timeout recorded on its target. */
export type AttestedKind = 'packet' | 'ack' | 'timeout';

/** A city node's signature over `interchainDigest(kind, commitment)`: secp256k1, r‖s‖v (65 bytes hex, v 27/28). */
export interface InterchainAttestation {
  kind: AttestedKind;
  /** hex, 32 bytes: the packet commitment (packet, timeout) or the ack commitment (ack). */
  commitment: string;
  signature: string;
}

/** The attesters a chain pins for deliveries: secp256k1 public keys (uncompressed hex) and t. */
export interface DeliveryAttesters {
  publicKeys: string[];
  threshold: number;
}
