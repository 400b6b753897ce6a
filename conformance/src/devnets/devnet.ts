import type { NetworkConfig } from '@bsn/core';

/** How a chain target is realised (DESIGN.md, "Conformance kit"). */
export type TargetKind = 'process' | 'container' | 'endpoint' | 'emulator';

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
