/**
 * The embedded registry: one SQLite file (better-sqlite3, synchronous and in-process), in
 * WAL mode so readers never wait for the writer; a killed process loses nothing committed.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { SqlRegistry, type SqlDriver } from './sql-registry.js';

interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
}

class SqliteDriver implements SqlDriver {
  readonly kind = 'sqlite' as const;
  /** One node's file: other processes do not write it. */
  readonly singleWriter = true;
  private readonly statements = new Map<string, Database.Statement>();
  /** Grouped writes of this event-loop turn, in one open transaction until `commitGroup`. */
  private group: Waiter[] | null = null;

  constructor(private readonly db: Database.Database) {}

  private prepare(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  async run(sql: string, params: unknown[] = []): Promise<number> {
    this.commitGroup();
    return this.prepare(sql).run(...params).changes;
  }

  /**
   * Each commit costs a WAL append of every page it touched, which was most of the
   * registry's time per request (nonce + usage rows): writes that only add to the
   * registry share one commit per event-loop turn. A grouped write resolves only once its
   * commit is done, so an acknowledged request's nonce and usage are as durable as before;
   * a failing statement is undone alone (SQLite's statement atomicity), a failing commit
   * rejects every write of the group.
   */
  async runGrouped(sql: string, params: unknown[] = []): Promise<number> {
    if (!this.group) {
      this.db.exec('BEGIN IMMEDIATE');
      this.group = [];
      setImmediate(() => this.commitGroup());
    }
    const changes = this.prepare(sql).run(...params).changes;
    return new Promise<number>((resolve, reject) => this.group!.push({ resolve: () => resolve(changes), reject }));
  }

  private commitGroup(): void {
    const group = this.group;
    if (!group) return;
    this.group = null;
    try {
      this.db.exec('COMMIT');
    } catch (err) {
      try {
        this.db.exec('ROLLBACK');
      } catch {
        // Already rolled back by SQLite.
      }
      for (const w of group) w.reject(err);
      return;
    }
    for (const w of group) w.resolve();
  }

  async all<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.prepare(sql).all(...params) as T[];
  }

  async exec(sql: string): Promise<void> {
    this.commitGroup();
    this.db.exec(sql);
  }

  /**
   * Every request inserts a nonce and commits: a table WITHOUT ROWID keeps the row in its
   * primary key's B-tree, one B-tree less to write per commit (~23 → ~15 µs, with the expiry
   * index ~30 → ~23 µs). Registries made before that are rebuilt once; their nonces matter
   * only for the clock-skew window, and are copied anyway.
   */
  async createNonces(columns: string, index: string): Promise<void> {
    const [existing] = await this.all<{ sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'nonces'");
    if (!existing) {
      await this.exec(`CREATE TABLE nonces (${columns}) WITHOUT ROWID; ${index}`);
    } else if (!/WITHOUT\s+ROWID/i.test(existing.sql)) {
      await this.exec(`BEGIN IMMEDIATE;
        ALTER TABLE nonces RENAME TO nonces_rowid;
        DROP INDEX IF EXISTS nonces_expiry;
        CREATE TABLE nonces (${columns}) WITHOUT ROWID;
        INSERT INTO nonces (user_code, nonce, expires_at) SELECT user_code, nonce, expires_at FROM nonces_rowid;
        DROP TABLE nonces_rowid;
        ${index};
        COMMIT`);
    }
  }

  async createReceiptUsage(): Promise<void> {
    await this.exec(`CREATE TRIGGER IF NOT EXISTS receipts_count_usage AFTER INSERT ON receipts BEGIN
      INSERT INTO app_usage (app, txs, storage_bytes) VALUES (NEW.app, 1, NEW.storage_bytes) ON CONFLICT (app) DO UPDATE SET txs = app_usage.txs + 1, storage_bytes = app_usage.storage_bytes + excluded.storage_bytes;
    END`);
  }

  async close(): Promise<void> {
    this.commitGroup();
    if (this.db.open) this.db.close();
  }

  isUniqueViolation(err: unknown): boolean {
    const code = (err as { code?: unknown })?.code;
    return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
  }
}

/** Opens (creating folders and tables as needed) the SQLite registry at `path`, or `:memory:`. */
export async function openSqliteRegistry(path: string, now?: () => number): Promise<SqlRegistry> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const registry = new SqlRegistry(new SqliteDriver(db), now);
  await registry.migrate();
  return registry;
}
