import type { ContractCall, ContractPackage } from './contract-package.js';
import type { ChainAccount } from './identity.js';
import type { Signer } from './keys.js';

/** A reference to an app known to the adapter. */
export interface AppRef {
  appId: string;
}

/**
 * The code an app runs: the preset key/value contract, or the app's own contract as a
 * package (capability `lifecycle.custom-contract`). `custom` is the unimplemented shape of
 * 1.0 (loose files and a language), refused by every adapter; a contract of one's own is
 * named as a `package`.
 */
export type ContractSource =
  | { kind: 'preset-kv' }
  | {
      kind: 'package';
      package: ContractPackage;
      /** Run once against the app's storage: at create, its initializer; at upgrade, a migration. */
      call?: ContractCall;
    }
  | {
      kind: 'custom';
      language: string;
      files: Record<string, string>;
      init?: string[];
    };

/**
 * BSN's "channel". Placement `shared` puts a low-traffic app beside others (a namespace on
 * a shared Fabric channel, one contract among many on a shared EVM chain); `dedicated`
 * gives it its own (a channel, a FISCO group). Isolation holds either way.
 */
export interface AppSpec {
  appId: string;
  name: string;
  framework: string;
  mode: 'private' | 'consortium';
  placement: 'shared' | 'dedicated';
  contract: ContractSource;
  /** Members allowed to write. The creator is always a member and the app's admin. */
  members: ChainAccount[];
}

export type AppState = 'active' | 'frozen';

export interface AppInfo {
  appId: string;
  framework: string;
  mode: AppSpec['mode'];
  placement: AppSpec['placement'];
  state: AppState;
  /** Where the app lives on the chain: channel+chaincode, contract address, group+contract, EOS account. */
  location: Record<string, string>;
  contract: { kind: ContractSource['kind']; version: number };
  admin: string;
  members: string[];
}

export interface AppLifecycle {
  /** Creates the app and deploys its contract. ConflictError if `appId` exists already. */
  create(spec: AppSpec, admin: Signer): Promise<AppInfo>;
  get(app: AppRef): Promise<AppInfo>;
  /** Replaces the contract code, keeping state; bumps `contract.version`. */
  upgrade(app: AppRef, contract: ContractSource, admin: Signer): Promise<AppInfo>;
  addMember(app: AppRef, member: ChainAccount, admin: Signer): Promise<AppInfo>;
  removeMember(app: AppRef, member: ChainAccount, admin: Signer): Promise<AppInfo>;
  /** Frozen apps serve reads; every write is refused with UnauthorizedError. */
  freeze(app: AppRef, admin: Signer): Promise<AppInfo>;
  unfreeze(app: AppRef, admin: Signer): Promise<AppInfo>;
}
