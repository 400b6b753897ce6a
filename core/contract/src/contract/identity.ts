import type { KeyAlgorithm, Signer } from './keys.js';

/**
 * A chain account derived from a BSN identity: what the framework itself calls the actor.
 * Fabric: an MSP identity (mspId + X.509 certificate). Ethereum / FISCO BCOS: a 20-byte
 * address. EOS: `account@permission` holding the public key.
 */
export interface ChainAccount {
  framework: string;
  algorithm: KeyAlgorithm;
  /** Uncompressed SEC1 public key, hex without 0x. */
  publicKey: string;
  /** The framework-native identifier, as the framework prints it. */
  id: string;
  /** Framework-specific extras, e.g. `{ mspId, certificate }` for Fabric. */
  attributes?: Record<string, string>;
}

export interface AdapterIdentity {
  /** Which algorithm this framework uses for accounts (an adapter may support several). */
  accountAlgorithms(): KeyAlgorithm[];
  /**
   * The chain account for a public key. Pure and deterministic for address-style
   * frameworks; may need the network (register an EOS account, enrol with a Fabric CA).
   */
  accountFor(publicKey: Uint8Array, algorithm: KeyAlgorithm): Promise<ChainAccount>;
  /**
   * Prepares an account for use on the chain (fund it on a dev chain, create the EOS
   * account, issue the Fabric certificate). Idempotent.
   */
  provision(signer: Signer): Promise<ChainAccount>;
}
