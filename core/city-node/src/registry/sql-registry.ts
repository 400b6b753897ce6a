/**
 * The registry over SQL that SQLite and PostgreSQL both speak (`?` placeholders are
 * rewritten for PostgreSQL by its driver; upserts use ON CONFLICT, which both have).
 */
import { ConflictError, NotFoundError } from '@bsn/contract';
import { FrozenRecords, LookupCache } from './lookup-cache.js';
import type {
  App,
  ChainKey,
  Grant,
  GrantSide,
  Portal,
  PortalPatch,
  PortalPolicy,
  ClaimResult,
  PreparedRecord,
  Registry,
  RequestClaim,
  StoredReceipt,
  Usage,
  UsageDelta,
  User,
  UserPatch,
} from './registry.js';

/** The few things the registry needs from a database driver. */
export interface SqlDriver {
  readonly kind: 'sqlite' | 'postgres';
  /** Returns the number of rows changed. */
  run(sql: string, params?: unknown[]): Promise<number>;
  /**
   * A write that only adds to the registry (a nonce, usage counters) and may share its
   * commit with other such writes; resolves once committed. Drivers without grouping run it.
   */
  runGrouped?(sql: string, params?: unknown[]): Promise<number>;
  all<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Whether this process is the database's only writer: it may then keep what it read. */
  readonly singleWriter: boolean;
  /** Creates the nonces table (`columns`) and its expiry index, in the driver's best layout. */
  createNonces(columns: string, index: string): Promise<void>;
  /**
   * Makes every receipt inserted count its transaction and stored bytes in `app_usage` in the
   * same commit (a trigger, in the driver's dialect): usage then cannot miss an acknowledged
   * write, even on kill -9, nor count twice a write two instances both submitted.
   */
  createReceiptUsage(): Promise<void>;
  /** Several statements separated by `;`, no parameters (schema). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
  isUniqueViolation(err: unknown): boolean;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS portals (
  code TEXT PRIMARY KEY, name TEXT NOT NULL, created_at BIGINT NOT NULL, policy TEXT);
CREATE TABLE IF NOT EXISTS users (
  code TEXT PRIMARY KEY, portal TEXT NOT NULL REFERENCES portals(code), algorithm TEXT NOT NULL,
  public_key TEXT NOT NULL, key_mode TEXT NOT NULL, role TEXT NOT NULL, chain_keys TEXT NOT NULL,
  hosted_identity TEXT, created_at BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS users_portal ON users(portal);
CREATE TABLE IF NOT EXISTS apps (
  code TEXT PRIMARY KEY, portal TEXT NOT NULL REFERENCES portals(code), owner TEXT NOT NULL,
  name TEXT NOT NULL, framework TEXT NOT NULL, network TEXT NOT NULL, chain TEXT NOT NULL,
  created_at BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS apps_portal ON apps(portal);
CREATE TABLE IF NOT EXISTS app_users (
  app TEXT NOT NULL, user_code TEXT NOT NULL, admitted_at BIGINT NOT NULL, PRIMARY KEY (app, user_code));
CREATE INDEX IF NOT EXISTS app_users_user ON app_users(user_code);
CREATE TABLE IF NOT EXISTS grants (
  source_app TEXT NOT NULL, target_app TEXT NOT NULL,
  source_side TEXT, target_side TEXT, PRIMARY KEY (source_app, target_app));
CREATE INDEX IF NOT EXISTS grants_target ON grants(target_app);
CREATE TABLE IF NOT EXISTS receipts (
  app TEXT NOT NULL, request_id TEXT NOT NULL, content_hash TEXT NOT NULL, receipt TEXT NOT NULL,
  created_at BIGINT NOT NULL, storage_bytes BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (app, request_id));
CREATE TABLE IF NOT EXISTS request_claims (
  app TEXT NOT NULL, request_id TEXT NOT NULL, content_hash TEXT NOT NULL, holder TEXT NOT NULL,
  lease_until BIGINT NOT NULL, PRIMARY KEY (app, request_id));
CREATE TABLE IF NOT EXISTS prepared (
  id TEXT PRIMARY KEY, app TEXT NOT NULL, user_code TEXT NOT NULL, content_hash TEXT NOT NULL,
  prepared TEXT NOT NULL, expires_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS app_usage (
  app TEXT PRIMARY KEY, txs BIGINT NOT NULL DEFAULT 0, reads BIGINT NOT NULL DEFAULT 0,
  storage_bytes BIGINT NOT NULL DEFAULT 0, bytes_in BIGINT NOT NULL DEFAULT 0, bytes_out BIGINT NOT NULL DEFAULT 0)
`;

/** Every request inserts a nonce; see each driver's `createNonces` for the table's layout. */
const NONCE_COLUMNS = 'user_code TEXT NOT NULL, nonce TEXT NOT NULL, expires_at BIGINT NOT NULL, PRIMARY KEY (user_code, nonce)';
const NONCE_INDEX = 'CREATE INDEX IF NOT EXISTS nonces_expiry ON nonces(expires_at)';

type Row = Record<string, unknown>;
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0));
const json = <T>(v: unknown, fallback: T): T => (typeof v === 'string' && v ? (JSON.parse(v) as T) : fallback);

function toPortal(r: Row): Portal {
  return { code: String(r['code']), name: String(r['name']), policy: json<PortalPolicy>(r['policy'], {}), createdAt: num(r['created_at']) };
}

function toUser(r: Row): User {
  const user: User = {
    code: String(r['code']),
    portal: String(r['portal']),
    algorithm: r['algorithm'] as User['algorithm'],
    publicKey: String(r['public_key']),
    keyMode: r['key_mode'] as User['keyMode'],
    role: r['role'] as User['role'],
    chainKeys: json<Record<string, ChainKey>>(r['chain_keys'], {}),
    createdAt: num(r['created_at']),
  };
  if (typeof r['hosted_identity'] === 'string') user.hostedIdentity = r['hosted_identity'];
  return user;
}

function toApp(r: Row): App {
  return {
    code: String(r['code']),
    portal: String(r['portal']),
    owner: String(r['owner']),
    name: String(r['name']),
    framework: String(r['framework']),
    network: String(r['network']),
    chain: json<Record<string, unknown>>(r['chain'], {}),
    createdAt: num(r['created_at']),
  };
}

function toGrant(r: Row): Grant {
  const grant: Grant = { sourceApp: String(r['source_app']), targetApp: String(r['target_app']) };
  const s = json<GrantSide | null>(r['source_side'], null);
  const t = json<GrantSide | null>(r['target_side'], null);
  if (s) grant.source = s;
  if (t) grant.target = t;
  return grant;
}

export class SqlRegistry implements Registry {
  /** Only where this process is the database's one writer (see lookup-cache.ts). */
  private readonly cache: LookupCache | undefined;

  constructor(
    private readonly db: SqlDriver,
    private readonly now: () => number = Date.now,
  ) {
    this.cache = db.singleWriter ? new LookupCache() : undefined;
  }

  get kind(): 'sqlite' | 'postgres' {
    return this.db.kind;
  }

  /** The database, for stores of their own tables beside the registry's (interchain/call-store.ts). */
  get driver(): SqlDriver {
    return this.db;
  }

  async migrate(): Promise<void> {
    await this.db.exec(SCHEMA);
    // Registries made before usage was counted with receipts have no storage_bytes column yet.
    const [row] = await this.db.all('SELECT * FROM receipts LIMIT 1');
    if (row && !('storage_bytes' in row)) await this.db.exec('ALTER TABLE receipts ADD COLUMN storage_bytes BIGINT NOT NULL DEFAULT 0');
    // Registries made before portals had jurisdiction policies: every portal there may offer anything.
    if (!(await this.hasColumn('portals', 'policy'))) {
      // Another instance migrating at the same time may have added it first.
      await this.db.exec('ALTER TABLE portals ADD COLUMN policy TEXT').catch(async (err: unknown) => {
        if (!(await this.hasColumn('portals', 'policy'))) throw err;
      });
    }
    await this.db.createNonces(NONCE_COLUMNS, NONCE_INDEX);
    await this.db.createReceiptUsage();
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  /** Asked of the table itself, not of a row: an empty table has no row to look at. */
  private async hasColumn(table: string, column: string): Promise<boolean> {
    try {
      await this.db.all(`SELECT ${column} FROM ${table} LIMIT 0`);
      return true;
    } catch {
      return false;
    }
  }

  async ping(): Promise<boolean> {
    try {
      await this.db.all('SELECT 1 AS one');
      return true;
    } catch {
      return false;
    }
  }

  private async insert(sql: string, params: unknown[], what: string): Promise<void> {
    try {
      await this.db.run(sql, params);
    } catch (err) {
      if (this.db.isUniqueViolation(err)) throw new ConflictError(`${what} exists already`, { cause: err });
      throw err;
    }
  }

  async createPortal(portal: Omit<Portal, 'createdAt' | 'policy'> & { policy?: PortalPolicy }): Promise<Portal> {
    const createdAt = this.now();
    const policy = portal.policy ?? {};
    await this.insert(
      'INSERT INTO portals (code, name, created_at, policy) VALUES (?, ?, ?, ?)',
      [portal.code, portal.name, createdAt, JSON.stringify(policy)],
      `portal ${portal.code}`,
    );
    return { code: portal.code, name: portal.name, policy, createdAt };
  }

  async updatePortal(code: string, patch: PortalPatch): Promise<Portal> {
    const changed = await this.db.run('UPDATE portals SET name = COALESCE(?, name), policy = COALESCE(?, policy) WHERE code = ?', [
      patch.name ?? null,
      patch.policy ? JSON.stringify(patch.policy) : null,
      code,
    ]);
    if (changed === 0) throw new NotFoundError(`portal ${code} does not exist`, { field: '/portal' });
    return (await this.getPortal(code))!;
  }

  async getPortal(code: string): Promise<Portal | null> {
    const [r] = await this.db.all('SELECT * FROM portals WHERE code = ?', [code]);
    return r ? toPortal(r) : null;
  }

  async listPortals(): Promise<Portal[]> {
    return (await this.db.all('SELECT * FROM portals ORDER BY code')).map(toPortal);
  }

  async createUser(user: Omit<User, 'createdAt'>): Promise<User> {
    if (!(await this.getPortal(user.portal))) throw new NotFoundError(`portal ${user.portal} does not exist`, { field: '/portal' });
    const createdAt = this.now();
    await this.insert(
      'INSERT INTO users (code, portal, algorithm, public_key, key_mode, role, chain_keys, hosted_identity, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        user.code,
        user.portal,
        user.algorithm,
        user.publicKey,
        user.keyMode,
        user.role,
        JSON.stringify(user.chainKeys),
        user.hostedIdentity ?? null,
        createdAt,
      ],
      `user ${user.code}`,
    );
    return { ...user, createdAt };
  }

  async getUser(code: string): Promise<User | null> {
    return this.byCode(code, 'SELECT * FROM users WHERE code = ?', toUser, this.cache?.users);
  }

  /** The row with this code as a record, through `records` when the registry caches. */
  private async byCode<T extends { code: string }>(
    code: string,
    sql: string,
    toRecord: (r: Row) => T,
    records: FrozenRecords<T> | undefined,
  ): Promise<T | null> {
    const cached = records?.get(code);
    if (cached) return cached;
    const [r] = await this.db.all(sql, [code]);
    if (!r) return null;
    return records ? records.keep(toRecord(r)) : toRecord(r);
  }

  async listUsers(portal: string): Promise<User[]> {
    return (await this.db.all('SELECT * FROM users WHERE portal = ? ORDER BY code', [portal])).map(toUser);
  }

  async updateUser(code: string, patch: UserPatch): Promise<User> {
    let changed: number;
    try {
      changed = await this.db.run(
        'UPDATE users SET role = COALESCE(?, role), algorithm = COALESCE(?, algorithm), public_key = COALESCE(?, public_key) WHERE code = ?',
        [patch.role ?? null, patch.algorithm ?? null, patch.publicKey ?? null, code],
      );
    } finally {
      // A request signed with the old key must not pass on a cached record.
      this.cache?.users.forget(code);
    }
    if (changed === 0) throw new NotFoundError(`user ${code} does not exist`, { field: '/user' });
    return (await this.getUser(code))!;
  }

  async setChainKey(user: string, framework: string, key: ChainKey): Promise<void> {
    const current = await this.getUser(user);
    if (!current) throw new NotFoundError(`user ${user} does not exist`);
    const keys = { ...current.chainKeys, [framework]: key };
    try {
      await this.db.run('UPDATE users SET chain_keys = ? WHERE code = ?', [JSON.stringify(keys), user]);
    } finally {
      this.cache?.users.forget(user);
    }
  }

  async createApp(app: Omit<App, 'createdAt'>): Promise<App> {
    const createdAt = this.now();
    await this.insert(
      'INSERT INTO apps (code, portal, owner, name, framework, network, chain, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [app.code, app.portal, app.owner, app.name, app.framework, app.network, JSON.stringify(app.chain), createdAt],
      `app ${app.code}`,
    );
    await this.admit(app.code, app.owner);
    return { ...app, createdAt };
  }

  async getApp(code: string): Promise<App | null> {
    return this.byCode(code, 'SELECT * FROM apps WHERE code = ?', toApp, this.cache?.apps);
  }

  async listApps(portal: string, user?: string): Promise<App[]> {
    const rows =
      user === undefined
        ? await this.db.all('SELECT * FROM apps WHERE portal = ? ORDER BY code', [portal])
        : await this.db.all(
            'SELECT a.* FROM apps a JOIN app_users u ON u.app = a.code WHERE a.portal = ? AND u.user_code = ? ORDER BY a.code',
            [portal, user],
          );
    return rows.map(toApp);
  }

  async countApps(): Promise<number> {
    const [r] = await this.db.all('SELECT COUNT(*) AS n FROM apps');
    return num(r?.['n']);
  }

  async removeAppsOnNetwork(network: string): Promise<string[]> {
    const codes = (await this.db.all<{ code: string }>('SELECT code FROM apps WHERE network = ? ORDER BY code', [network])).map(
      (r) => r.code,
    );
    for (const code of codes) {
      await this.db.run('DELETE FROM app_users WHERE app = ?', [code]);
      await this.db.run('DELETE FROM receipts WHERE app = ?', [code]);
      await this.db.run('DELETE FROM prepared WHERE app = ?', [code]);
      await this.db.run('DELETE FROM request_claims WHERE app = ?', [code]);
      await this.db.run('DELETE FROM app_usage WHERE app = ?', [code]);
      await this.db.run('DELETE FROM grants WHERE source_app = ? OR target_app = ?', [code, code]);
      await this.db.run('DELETE FROM apps WHERE code = ?', [code]);
    }
    if (codes.length) this.cache?.forgetApps();
    return codes;
  }

  async updateAppChain(code: string, chain: Record<string, unknown>): Promise<void> {
    try {
      await this.db.run('UPDATE apps SET chain = ? WHERE code = ?', [JSON.stringify(chain), code]);
    } finally {
      this.cache?.apps.forget(code);
    }
  }

  async admit(app: string, user: string): Promise<void> {
    await this.db.run('INSERT INTO app_users (app, user_code, admitted_at) VALUES (?, ?, ?) ON CONFLICT (app, user_code) DO NOTHING', [
      app,
      user,
      this.now(),
    ]);
  }

  async isAdmitted(app: string, user: string): Promise<boolean> {
    if (this.cache?.isAdmitted(app, user)) return true;
    const admitted = (await this.db.all('SELECT 1 AS one FROM app_users WHERE app = ? AND user_code = ?', [app, user])).length > 0;
    if (admitted) this.cache?.keepAdmission(app, user);
    return admitted;
  }

  async admitted(app: string): Promise<string[]> {
    return (await this.db.all<{ user_code: string }>('SELECT user_code FROM app_users WHERE app = ? ORDER BY user_code', [app])).map(
      (r) => r.user_code,
    );
  }

  async grant(sourceApp: string, targetApp: string, side: 'source' | 'target', grant: GrantSide): Promise<Grant> {
    const column = side === 'source' ? 'source_side' : 'target_side';
    await this.db.run(
      `INSERT INTO grants (source_app, target_app, ${column}) VALUES (?, ?, ?) ON CONFLICT (source_app, target_app) DO UPDATE SET ${column} = excluded.${column}`,
      [sourceApp, targetApp, JSON.stringify(grant)],
    );
    return (await this.getGrant(sourceApp, targetApp))!;
  }

  async revokeGrant(sourceApp: string, targetApp: string, side: 'source' | 'target'): Promise<Grant | null> {
    const column = side === 'source' ? 'source_side' : 'target_side';
    await this.db.run(`UPDATE grants SET ${column} = NULL WHERE source_app = ? AND target_app = ?`, [sourceApp, targetApp]);
    return this.getGrant(sourceApp, targetApp);
  }

  async getGrant(sourceApp: string, targetApp: string): Promise<Grant | null> {
    const [r] = await this.db.all('SELECT * FROM grants WHERE source_app = ? AND target_app = ?', [sourceApp, targetApp]);
    return r ? toGrant(r) : null;
  }

  async listGrants(app: string): Promise<Grant[]> {
    return (
      await this.db.all('SELECT * FROM grants WHERE source_app = ? OR target_app = ? ORDER BY source_app, target_app', [app, app])
    ).map(toGrant);
  }

  private grouped(sql: string, params: unknown[]): Promise<number> {
    return this.db.runGrouped ? this.db.runGrouped(sql, params) : this.db.run(sql, params);
  }

  async useNonce(user: string, nonce: string, expiresAt: number): Promise<boolean> {
    const changed = await this.grouped(
      'INSERT INTO nonces (user_code, nonce, expires_at) VALUES (?, ?, ?) ON CONFLICT (user_code, nonce) DO NOTHING',
      [user, nonce, expiresAt],
    );
    return changed === 1;
  }

  async pruneNonces(now: number): Promise<number> {
    return this.db.run('DELETE FROM nonces WHERE expires_at < ?', [now]);
  }

  async getReceipt(app: string, requestId: string): Promise<StoredReceipt | null> {
    const [r] = await this.db.all('SELECT * FROM receipts WHERE app = ? AND request_id = ?', [app, requestId]);
    return r
      ? { app, requestId, contentHash: String(r['content_hash']), receipt: json(r['receipt'], {}), createdAt: num(r['created_at']) }
      : null;
  }

  async putReceipt(receipt: Omit<StoredReceipt, 'createdAt'>, storageBytes = 0): Promise<StoredReceipt & { inserted: boolean }> {
    // Only adds (a receipt is never replaced), so it may share a commit; the usage trigger counts it in that commit.
    const createdAt = this.now();
    const inserted = await this.grouped(
      'INSERT INTO receipts (app, request_id, content_hash, receipt, created_at, storage_bytes) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (app, request_id) DO NOTHING',
      [receipt.app, receipt.requestId, receipt.contentHash, JSON.stringify(receipt.receipt), createdAt, storageBytes],
    );
    // Ours is the one kept unless another request with this id got there first.
    return inserted === 1
      ? { ...receipt, createdAt, inserted: true }
      : { ...(await this.getReceipt(receipt.app, receipt.requestId))!, inserted: false };
  }

  async claimRequest(claim: RequestClaim, now: number): Promise<ClaimResult> {
    // Never cached: claims are how instances sharing the registry see each other.
    for (;;) {
      const inserted = await this.db.run(
        'INSERT INTO request_claims (app, request_id, content_hash, holder, lease_until) VALUES (?, ?, ?, ?, ?) ON CONFLICT (app, request_id) DO NOTHING',
        [claim.app, claim.requestId, claim.contentHash, claim.holder, claim.leaseUntil],
      );
      if (inserted === 1) return { claimed: true };
      // Taken over only once expired, and only by one instance (the UPDATE's condition is its lock).
      const takenOver = await this.db.run(
        'UPDATE request_claims SET content_hash = ?, holder = ?, lease_until = ? WHERE app = ? AND request_id = ? AND lease_until < ?',
        [claim.contentHash, claim.holder, claim.leaseUntil, claim.app, claim.requestId, now],
      );
      if (takenOver === 1) return { claimed: true };
      const [r] = await this.db.all('SELECT * FROM request_claims WHERE app = ? AND request_id = ?', [claim.app, claim.requestId]);
      // Released between the two statements: try again.
      if (!r) continue;
      return {
        claimed: false,
        held: {
          app: claim.app,
          requestId: claim.requestId,
          contentHash: String(r['content_hash']),
          holder: String(r['holder']),
          leaseUntil: num(r['lease_until']),
        },
      };
    }
  }

  async renewClaim(app: string, requestId: string, holder: string, leaseUntil: number): Promise<boolean> {
    return (
      (await this.db.run('UPDATE request_claims SET lease_until = ? WHERE app = ? AND request_id = ? AND holder = ?', [
        leaseUntil,
        app,
        requestId,
        holder,
      ])) === 1
    );
  }

  async releaseClaim(app: string, requestId: string, holder: string): Promise<void> {
    await this.db.run('DELETE FROM request_claims WHERE app = ? AND request_id = ? AND holder = ?', [app, requestId, holder]);
  }

  async putPrepared(record: PreparedRecord): Promise<void> {
    await this.insert(
      'INSERT INTO prepared (id, app, user_code, content_hash, prepared, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
      [record.id, record.app, record.user, record.contentHash, JSON.stringify(record.prepared), record.expiresAt],
      `prepared transaction ${record.id}`,
    );
    await this.db.run('DELETE FROM prepared WHERE expires_at < ?', [this.now() - 3_600_000]);
  }

  async getPrepared(id: string): Promise<PreparedRecord | null> {
    const [r] = await this.db.all('SELECT * FROM prepared WHERE id = ?', [id]);
    return r
      ? {
          id,
          app: String(r['app']),
          user: String(r['user_code']),
          contentHash: String(r['content_hash']),
          prepared: json(r['prepared'], {}),
          expiresAt: num(r['expires_at']),
        }
      : null;
  }

  async deletePrepared(id: string): Promise<void> {
    await this.db.run('DELETE FROM prepared WHERE id = ?', [id]);
  }

  async addUsage(app: string, d: UsageDelta): Promise<void> {
    const v = [d.txs ?? 0, d.reads ?? 0, d.storageBytes ?? 0, d.bytesIn ?? 0, d.bytesOut ?? 0];
    if (v.every((x) => x === 0)) return;
    await this.grouped(
      `INSERT INTO app_usage (app, txs, reads, storage_bytes, bytes_in, bytes_out) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (app) DO UPDATE SET txs = app_usage.txs + excluded.txs, reads = app_usage.reads + excluded.reads,
         storage_bytes = app_usage.storage_bytes + excluded.storage_bytes, bytes_in = app_usage.bytes_in + excluded.bytes_in,
         bytes_out = app_usage.bytes_out + excluded.bytes_out`,
      [app, ...v],
    );
  }

  private toUsage(app: string, r: Row | undefined): Usage {
    return {
      app,
      txs: num(r?.['txs']),
      reads: num(r?.['reads']),
      storageBytes: num(r?.['storage_bytes']),
      bytesIn: num(r?.['bytes_in']),
      bytesOut: num(r?.['bytes_out']),
    };
  }

  async usage(app: string): Promise<Usage> {
    const [r] = await this.db.all('SELECT * FROM app_usage WHERE app = ?', [app]);
    return this.toUsage(app, r);
  }

  async allUsage(): Promise<Usage[]> {
    return (await this.db.all('SELECT * FROM app_usage ORDER BY app')).map((r) => this.toUsage(String(r['app']), r));
  }
}
