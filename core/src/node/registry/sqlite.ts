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
