import type { NetworkConfig } from './adapter.js';
import type { ChainAccount } from './identity.js';
import type { AppInfo, ContractSource } from './lifecycle.js';

/** A contract given as a package, with its initializer (at create) or migration (at upgrade). */
export type PackageSource = Extract<ContractSource, { kind: 'package' }>;

/** A call of the sample through the generic gateway: the method's name and its arguments as the framework takes them. */
export interface SampleCall {
  method: string;
  args: string[];
}

/**
 * The kit's sample token on one framework (a small token: owner-only mint, transfer, balance,
 * a Transfer event; version 2 keeps version 1's state and adds burn), as the conformance suite
 * deploys, calls and upgrades it. A plugin's devnets module supplies it
 * (`DevnetProvider.tokenSample`), built from the sample it keeps in its own folder, so the suite
 * holds no framework's code.
 */
export interface TokenSample {
  /** Version 1, whose initializer makes `owner` the token's owner (the only one who mints). */
  v1(owner: ChainAccount): PackageSource;
  /** Version 2: version 1's storage and methods plus `burn`, with the migration it needs. */
  v2(): PackageSource;
  /** Version 2 with a start that fails on the chain (a migration that reverts, a chaincode that throws at start). */
  failingV2(): PackageSource;
  /** A package the adapter must refuse before anything touches the chain, and the field its InvalidInputError names. */
  badPackage(): { contract: PackageSource; field: string };
  mint(to: ChainAccount, amount: bigint): SampleCall;
  transfer(to: ChainAccount, amount: bigint): SampleCall;
  /** Version 2 only. */
  burn(amount: bigint): SampleCall;
  /** An evaluate call whose result `balanceOf` reads. */
  balance(account: ChainAccount): SampleCall;
  /** The balance in an evaluate result. */
  balanceOf(result: Uint8Array): bigint;
  /** The Transfer event's name as the gateway streams it. */
  readonly transferEvent: string;
  /** A Transfer event's payload: accounts as `ChainAccount.id`s; `from` of a mint is whatever the sample mints from. */
  transferOf(payload: Uint8Array): { from: string; to: string; value: bigint };
  /** Reads the app's token on the chain without the adapter (raw JSON-RPC, the peer's own queries). */
  reader(network: NetworkConfig): TokenChainReader;
}

/** The sample token's facts read straight from the chain, to check what the adapter says against. */
export interface TokenChainReader {
  /** What it reads, for messages: `eth JSON-RPC http://127.0.0.1:8545`. */
  readonly source: string;
  /** A balance as the chain holds it in the app's state. */
  balance(app: AppInfo, account: ChainAccount): Promise<bigint>;
  /**
   * What identifies the code serving the app on the chain now (the implementation behind an EVM
   * proxy, a Fabric chaincode definition's sequence and package), undefined when the chain holds
   * no such app: it must change with an upgrade and only then.
   */
  code(appId: string): Promise<string | undefined>;
  close?(): Promise<void>;
}
