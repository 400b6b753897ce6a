import type { AdapterDescription } from './describe.js';
import type { AdapterIdentity } from './identity.js';
import type { Gateway } from './gateway.js';
import type { AppLifecycle } from './lifecycle.js';
import type { PresetKv } from './preset-kv.js';
import type { Interchain } from './interchain.js';

/**
 * One framework adapter, connected to one chain network. Every method is async and fails
 * only with errors from `@bsn/contract`'s `errors/` (check with `isBsnError`). Parts an adapter does
 * not claim in `describe().capabilities` may be absent.
 */
export interface Adapter {
  describe(): AdapterDescription;
  readonly identity: AdapterIdentity;
  readonly gateway: Gateway;
  readonly lifecycle: AppLifecycle;
  readonly kv: PresetKv;
  readonly interchain?: Interchain;
  /** Releases connections, subscriptions and timers. Idempotent. */
  close(): Promise<void>;
}

/**
 * Where the chain is and how to talk to it; the shape beyond `framework` is the adapter's
 * own, validated by the schema it ships (`configSchema` in its manifest).
 */
export interface NetworkConfig {
  framework: string;
  name: string;
  [key: string]: unknown;
}

/** Services the host lends a plugin. */
export interface AdapterContext {
  logger: Logger;
  /** A folder the adapter may write to (caches, checkpoints). */
  dataDir: string;
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** What a plugin's entry module exports as `default` (or as `createAdapterFactory`). */
export interface AdapterFactory {
  /** Opens a connection and returns a ready adapter, or throws UnavailableError. */
  connect(network: NetworkConfig, context: AdapterContext): Promise<Adapter>;
}
