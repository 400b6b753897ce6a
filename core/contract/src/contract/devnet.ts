import type { NetworkConfig } from './adapter.js';
import type { Signer } from './keys.js';
import type { TokenSample } from './token-sample.js';

/**
 * How a chain target is realised. `process`: real node binaries started as local processes;
 * `container`: the same through a container engine; `endpoint`: an existing network;
 * `emulator`: a protocol-faithful emulator around a real VM, where no real node can be had
 * (certificates earned on it are provisional); `memory`: an in-process stand-in that is not a
 * chain at all (for developing an adapter; never certified).
 */
export type TargetKind = 'process' | 'container' | 'endpoint' | 'emulator' | 'memory';

/** Kinds on which a passing run may be certified; `memory` is not a chain. */
export const CERTIFIABLE_KINDS: readonly TargetKind[] = ['process', 'container', 'endpoint', 'emulator'];

export type Availability = { ok: true } | { ok: false; reason: string };

/** A chain that is up. Only this handle can stop it; stopping twice is harmless. */
export interface StartedDevnet {
  readonly name: string;
  readonly kind: TargetKind;
  /** Node software and version as the node itself reports it, e.g. `anvil/v1.7.1`. */
  readonly node: string;
  /** What the adapter is connected with. */
  readonly network: NetworkConfig;
  /** Where the node's logs are; kept after `stop()` so a failed run can be read. */
  readonly logFile?: string;
  stop(): Promise<void>;
}

/** Configures a chain target; `start()` boots it and resolves once it answers (never on a timer). */
export interface Devnet {
  readonly name: string;
  readonly framework: string;
  readonly kind: TargetKind;
  /** Whether this machine can run it, and if not, why (printed when the target is skipped). */
  available(): Promise<Availability>;
  start(): Promise<StartedDevnet>;
}

/**
 * What a plugin's devnets module (`devnets` in its manifest) exports as `default`: the chain
 * targets it contributes. The conformance runner (`--target <name>`), `npm start` and the
 * benches find them here; nothing outside the plugin's folder lists them.
 */
export interface DevnetProvider {
  /** Chain targets by the name `--target` takes; each call configures a fresh one. */
  readonly devnets: Readonly<Record<string, () => Devnet>>;
  /** The target a local city node (`npm start`) certifies the plugin on and serves apps on. */
  readonly local: string;
  /**
   * Builds or fetches what the devnets need (e.g. node binaries into the cache), once, ahead
   * of tests, benches and `npm start`. A machine that cannot (no Go, say) is not an error: the
   * devnets then report themselves unavailable, saying why.
   */
  prepare?(progress: (line: string) => void): Promise<void>;
  /**
   * A reader of the chain behind `network` that does not go through the adapter: the
   * conformance suite checks what the adapter says (receipts, blocks, validity, times, event
   * order) against it, so an adapter cannot pass by being consistently wrong. Without one, those
   * checks are skipped, saying so in the report.
   */
  reader?(network: NetworkConfig): ChainReader;
  /**
   * The chain operator's signer on this target (a dev network's own funded or admin key): what
   * may pin delivery attesters (`Interchain.configureDelivery`). The conformance suite configures
   * delivery with it; without one, the delivery cases fail saying so.
   */
  operator?(network: NetworkConfig): Signer;
  /**
   * The kit's sample token for this framework (capability `lifecycle.custom-contract`): the
   * conformance suite deploys, calls and upgrades it. Without one, those cases fail saying so.
   * `network` is the target the sample is for: a framework whose packages depend on the chain
   * (FISCO BCOS: ABI selectors under the chain's hash, SM3 on an SM chain) builds for it.
   */
  tokenSample?(network?: NetworkConfig): Promise<TokenSample>;
}

/** A block as the chain itself gives it. */
export interface ChainBlock {
  number: number;
  hash: string;
  /** Block time, milliseconds since the epoch. */
  timestampMs: number;
  /** Its transactions, in block order, as the adapter names them (`Receipt.txId`). */
  txIds: string[];
}

/**
 * Chain facts read straight from the node (raw JSON-RPC for an EVM chain, the peer's own
 * system chaincode for Fabric), written without the adapter's code.
 */
export interface ChainReader {
  /** What it reads, for reports: `eth JSON-RPC http://127.0.0.1:8545`. */
  readonly source: string;
  /** The newest block the node has, final or not. */
  head(): Promise<number>;
  /** The block at `number`, or undefined beyond the head. */
  block(number: number): Promise<ChainBlock | undefined>;
  /**
   * Where the chain put a transaction, whether it executed successfully and its time as the
   * chain records it (milliseconds, truncated: its block's time on EVM chains, the
   * transaction's own timestamp on Fabric), or undefined when the chain has no such transaction.
   */
  transaction(txId: string): Promise<{ block: number; valid: boolean; timestampMs: number } | undefined>;
  close?(): Promise<void>;
}
