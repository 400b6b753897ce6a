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
 * Proof that something (a packet, an acknowledgement, a delivery receipt) is committed on
 * `chain`. `proof` is framework-specific and opaque to everyone but that framework's
 * verifier: Fabric block + validation flag + orderer signatures + endorsements; Ethereum
 * receipt inclusion proof + header final by depth or city-node attestations; FISCO BCOS
 * receipt proof + sealer signatures; EOS action proof + irreversibility.
 */
export interface Evidence {
  v: 1;
  framework: string;
  chain: string;
  subject: { kind: 'packet' | 'ack' | 'receipt'; packetId: string };
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
  { state: 'proven'; subject: Evidence['subject']; packet?: Packet; ack?: string } | { state: 'rejected'; reason: string };

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
  /**
   * Executes the packet on the target app exactly once: checks no receipt exists, not timed
   * out, grant valid; sets the receipt in the same transaction as the call.
   *
   * Present only when the adapter claims `interchain.deliver`: an adapter that does not
   * leaves it out (no stub that refuses), and a caller checks it exists before calling it.
   * Making it optional is compatible within 1.x: an adapter that has it still satisfies the
   * interface (docs/adapter-contract.md §8).
   */
  deliver?(packet: Packet, evidence: Evidence, signer: Signer): Promise<Receipt>;
  /**
   * Optional: the roots a city node connected to this adapter's chain would pin to verify
   * its evidence, with `attesters` (t = `threshold` of them must attest a block) as the
   * attestation policy. Lets framework-neutral callers (the conformance kit, node setup)
   * build roots without knowing the framework's root shape; verifiers must still take roots
   * from their own configuration, never from the evidence's producer.
   */
  trustRoots?(attesters: Attester[], threshold: number): Promise<TrustRoots>;
}
