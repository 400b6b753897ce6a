import type { KeyAlgorithm } from './keys.js';

/** Framework names known to BSN. A vendor adapter for another framework uses its own lowercase name. */
export type FrameworkName = 'fabric' | 'fisco-bcos' | 'ethereum' | 'eos' | (string & {});

/**
 * How a receipt becomes final. `immediate`: once committed, never reverted (Fabric, FISCO
 * BCOS PBFT, EOS after irreversibility). `probabilistic`: final after `depth` further blocks
 * (Ethereum PoW-style / dev chains); `depth` is configurable per network.
 */
export type FinalityModel = { kind: 'immediate' } | { kind: 'probabilistic'; depth: number };

/** What an adapter claims to support. Conformance cases are grouped by these. */
export const CAPABILITIES = [
  'describe',
  'identity.derive',
  'identity.bind',
  'keys.hosted',
  'keys.user',
  'gateway.submit',
  'gateway.evaluate',
  'gateway.events',
  'gateway.lookup',
  'gateway.health',
  'lifecycle.create',
  'lifecycle.upgrade',
  'lifecycle.members',
  'lifecycle.freeze',
  'lifecycle.isolation',
  /** `placement: 'dedicated'` gives the app a ledger of its own (Fabric: a channel), found again by scoped look-ups. */
  'lifecycle.dedicated',
  /** An app may run its own contract, named as a package in its spec (`contract.kind: 'package'`), deployed, called and upgraded through the common interface. */
  'lifecycle.custom-contract',
  'kv.preset',
  'interchain.emit',
  'interchain.evidence',
  'interchain.verify',
  'interchain.deliver',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

export interface AdapterLimits {
  /** Largest preset-contract value accepted, in bytes. The contract requires at least 4096. */
  maxValueBytes: number;
  /** Largest key, in UTF-8 bytes. The contract requires at least 256. */
  maxKeyBytes: number;
  /** Largest page `kv.list` returns. */
  maxPageSize: number;
}

export interface AdapterDescription {
  framework: FrameworkName;
  adapter: { name: string; version: string };
  /** The adaptation standard version implemented (semver). */
  adapterApi: string;
  /** Semver ranges of the chain software this adapter talks to (e.g. `>=2.5 <3` for Fabric). */
  frameworkVersions: string[];
  keyAlgorithms: KeyAlgorithm[];
  finality: FinalityModel;
  capabilities: Capability[];
  limits: AdapterLimits;
}

export const MIN_LIMITS: AdapterLimits = { maxValueBytes: 4096, maxKeyBytes: 256, maxPageSize: 100 };
