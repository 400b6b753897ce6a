/**
 * The city node's registry: who may do what (portals → users → apps, app-to-app grants),
 * replay protection (nonces), idempotency (request id → receipt), prepared user-key
 * transactions and metering counters. Embedded SQLite by default; PostgreSQL when several
 * node instances share one registry. Both implement this interface over the same SQL.
 *
 * Every method is one statement (or a read after one), so concurrent node instances on one
 * PostgreSQL database stay consistent without explicit transactions.
 */
import type { KeyAlgorithm } from '@bsn/contract';

/**
 * What a portal may offer (its jurisdiction): the frameworks and networks its users may create
 * apps on. An absent list allows any; an empty list allows none. A portal serving mainland
 * China, say, lists no public-chain network.
 */
export interface PortalPolicy {
  frameworks?: string[];
  networks?: string[];
}

export interface Portal {
  code: string;
  name: string;
  policy: PortalPolicy;
  createdAt: number;
}

/** A change to a portal: what is given replaces what was there (`policy` whole). */
export interface PortalPatch {
  name?: string;
  policy?: PortalPolicy;
}

export type KeyMode = 'hosted' | 'user';
/** `operator`: runs the node — manages portals and their users, sees every portal; `admin`: of one portal. */
export type UserRole = 'operator' | 'admin' | 'member';

/** A change to a user: a new role, or a new request-signing key (`algorithm` and `publicKey` together). */
export interface UserPatch {
  role?: UserRole;
  algorithm?: KeyAlgorithm;
  publicKey?: string;
}

/** A public key a user holds for one framework's chain accounts (user-key mode). */
export interface ChainKey {
  algorithm: KeyAlgorithm;
  /** Uncompressed SEC1, hex without 0x. */
  publicKey: string;
}

export interface User {
  code: string;
  portal: string;
  /** The key that signs this user's requests to the node. */
  algorithm: KeyAlgorithm;
  /** Uncompressed SEC1, hex without 0x. */
  publicKey: string;
  /** hosted: the node signs chain transactions with keys derived from `hostedIdentity`; user: the client signs them. */
  keyMode: KeyMode;
  role: UserRole;
  /** user-key mode: the chain keys the user registered, by framework. */
  chainKeys: Record<string, ChainKey>;
  /** hosted mode: the user's BSN identity, sealed (an IdentityFile JSON) under the node passphrase. */
  hostedIdentity?: string;
  createdAt: number;
}

export interface App {
  code: string;
  portal: string;
  /** The user who created it; always admitted. */
  owner: string;
  name: string;
  framework: string;
  /** The configured network the app lives on. */
  network: string;
  /** What the adapter said at creation (AppInfo, JSON). */
  chain: Record<string, unknown>;
  createdAt: number;
}

export interface GrantSide {
  by: string;
  at: number;
  /** Methods this side allows (empty: all). */
  methods: string[];
  /** ms since epoch; 0: no expiry. */
  expiresAt: number;
}

/** An app-to-app authorization: usable only when both sides granted it. */
export interface Grant {
  sourceApp: string;
  targetApp: string;
  source?: GrantSide;
  target?: GrantSide;
}

export interface StoredReceipt {
  app: string;
  requestId: string;
  /** SHA-256 of what was asked, so the same id with other content is a conflict. */
  contentHash: string;
  receipt: Record<string, unknown>;
  createdAt: number;
}

export interface PreparedRecord {
  id: string;
  app: string;
  user: string;
  contentHash: string;
  prepared: Record<string, unknown>;
  expiresAt: number;
}

export interface Usage {
  app: string;
  /** Committed write transactions. */
  txs: number;
  /** Reads served (get, history, list, evaluate). */
  reads: number;
  /** Bytes of keys and values written. */
  storageBytes: number;
  bytesIn: number;
  bytesOut: number;
}

export type UsageDelta = Partial<Omit<Usage, 'app'>>;

/** Who is writing a request id now (see `Registry.claimRequest`). */
export interface RequestClaim {
  app: string;
  requestId: string;
  contentHash: string;
  /** The instance holding it. */
  holder: string;
  /** Epoch ms; after it, another instance may take the claim over. */
  leaseUntil: number;
}

export type ClaimResult = { claimed: true } | { claimed: false; held: RequestClaim };

export interface Registry {
  readonly kind: 'sqlite' | 'postgres';
  /** Creates the tables when absent. Safe to call from several instances at once. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** Whether the database answers (readiness). */
  ping(): Promise<boolean>;

  /** ConflictError when the code exists. A portal without `policy` may offer anything. */
  createPortal(portal: Omit<Portal, 'createdAt' | 'policy'> & { policy?: PortalPolicy }): Promise<Portal>;
  getPortal(code: string): Promise<Portal | null>;
  listPortals(): Promise<Portal[]>;
  /** NotFoundError when the portal does not exist. */
  updatePortal(code: string, patch: PortalPatch): Promise<Portal>;

  /** ConflictError when the code exists. */
  createUser(user: Omit<User, 'createdAt'>): Promise<User>;
  getUser(code: string): Promise<User | null>;
  listUsers(portal: string): Promise<User[]>;
  /** NotFoundError when the user does not exist. */
  updateUser(code: string, patch: UserPatch): Promise<User>;
  setChainKey(user: string, framework: string, key: ChainKey): Promise<void>;

  /** ConflictError when the code exists. The owner is admitted. */
  createApp(app: Omit<App, 'createdAt'>): Promise<App>;
  getApp(code: string): Promise<App | null>;
  /** Apps of a portal; with `user`, only those that admitted the user. */
  listApps(portal: string, user?: string): Promise<App[]>;
  countApps(): Promise<number>;
  /**
   * Forgets every app on a network, with its admissions, grants, receipts and usage: for a
   * devnet the node starts afresh, whose chain no longer holds them. Returns their codes.
   */
  removeAppsOnNetwork(network: string): Promise<string[]>;
  updateAppChain(code: string, chain: Record<string, unknown>): Promise<void>;
  admit(app: string, user: string): Promise<void>;
  isAdmitted(app: string, user: string): Promise<boolean>;
  admitted(app: string): Promise<string[]>;

  /** Records one side of a grant (the other side is kept). */
  grant(sourceApp: string, targetApp: string, side: 'source' | 'target', grant: GrantSide): Promise<Grant>;
  revokeGrant(sourceApp: string, targetApp: string, side: 'source' | 'target'): Promise<Grant | null>;
  getGrant(sourceApp: string, targetApp: string): Promise<Grant | null>;
  listGrants(app: string): Promise<Grant[]>;

  /** Records a nonce; false when this user used it already (a replay). */
  useNonce(user: string, nonce: string, expiresAt: number): Promise<boolean>;
  /** Forgets nonces whose timestamps are too old to be accepted anyway. */
  pruneNonces(now: number): Promise<number>;

  getReceipt(app: string, requestId: string): Promise<StoredReceipt | null>;
  /**
   * Stores the receipt unless one exists for (app, requestId); returns what is stored. The
   * insert counts one transaction and `storageBytes` in the app's usage, in the same commit.
   */
  putReceipt(receipt: Omit<StoredReceipt, 'createdAt'>, storageBytes?: number): Promise<StoredReceipt & { inserted: boolean }>;
  /**
   * Claims (app, requestId) for `holder` until `leaseUntil`, so that across every instance on
   * this registry one signs and broadcasts a request id: claimed when there was no claim, or
   * the one there had expired (its holder died); otherwise the claim that holds it.
   */
  claimRequest(claim: RequestClaim, now: number): Promise<ClaimResult>;
  /** Extends `holder`'s claim; false when it no longer holds it. */
  renewClaim(app: string, requestId: string, holder: string, leaseUntil: number): Promise<boolean>;
  /** Ends `holder`'s claim (after its receipt is stored, or when its write failed). */
  releaseClaim(app: string, requestId: string, holder: string): Promise<void>;

  putPrepared(record: PreparedRecord): Promise<void>;
  getPrepared(id: string): Promise<PreparedRecord | null>;
  deletePrepared(id: string): Promise<void>;

  addUsage(app: string, delta: UsageDelta): Promise<void>;
  usage(app: string): Promise<Usage>;
  allUsage(): Promise<Usage[]>;
}

/** Whether a grant is usable for `method` at `now`: both sides granted, unexpired, method allowed by both. */
export function grantAllows(grant: Grant | null, method: string | undefined, now: number): boolean {
  if (!grant?.source || !grant.target) return false;
  for (const side of [grant.source, grant.target]) {
    if (side.expiresAt !== 0 && side.expiresAt <= now) return false;
    if (method !== undefined && side.methods.length > 0 && !side.methods.includes(method)) return false;
  }
  return true;
}
