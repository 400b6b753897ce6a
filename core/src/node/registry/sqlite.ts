/**
 * The embedded registry: one SQLite file (better-sqlite3, synchronous and in-process), in
 * WAL mode so readers never wait for the writer; a killed process loses nothing committed.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { SqlRegistry, type SqlDriver } from './sql-registry.js';

class SqliteDriver implements SqlDriver {
  readonly kind = 'sqlite' as const;
  private readonly statements = new Map<string, Database.Statement>();

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
    return this.prepare(sql).run(...params).changes;
  }

  async all<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.prepare(sql).all(...params) as T[];
  }

  async exec(sql: string): Promise<void> {
    this.db.exec(sql);
  }

  async close(): Promise<void> {
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
