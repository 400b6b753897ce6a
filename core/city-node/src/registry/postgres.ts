/**
 * The shared registry: PostgreSQL through `pg`, for several node instances serving the same
 * portals and apps. Schema creation is serialised with an advisory lock so instances
 * starting together do not race on CREATE TABLE.
 */
import pg from 'pg';
import { SqlRegistry, type SqlDriver } from './sql-registry.js';

/** `?` → `$1, $2…` (the registry's SQL has no `?` inside literals). */
function numbered(sql: string): string {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
}

const MIGRATION_LOCK = 0x62736e; // 'bsn'

class PostgresDriver implements SqlDriver {
  readonly kind = 'postgres' as const;
  /** Several node instances share it. */
  readonly singleWriter = false;

  constructor(private readonly pool: pg.Pool) {}

  async run(sql: string, params: unknown[] = []): Promise<number> {
    return (await this.pool.query(numbered(sql), params)).rowCount ?? 0;
  }

  async all<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query(numbered(sql), params)).rows as T[];
  }

  async exec(sql: string): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      try {
        await client.query(sql);
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
      }
    } finally {
      client.release();
    }
  }

  async createNonces(columns: string, index: string): Promise<void> {
    await this.exec(`CREATE TABLE IF NOT EXISTS nonces (${columns}); ${index}`);
  }

  async createReceiptUsage(): Promise<void> {
    await this.exec(`CREATE OR REPLACE FUNCTION receipts_count_usage() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO app_usage (app, txs, storage_bytes) VALUES (NEW.app, 1, NEW.storage_bytes) ON CONFLICT (app) DO UPDATE SET txs = app_usage.txs + 1, storage_bytes = app_usage.storage_bytes + excluded.storage_bytes;
        RETURN NEW;
      END $$;
      DROP TRIGGER IF EXISTS receipts_count_usage ON receipts;
      CREATE TRIGGER receipts_count_usage AFTER INSERT ON receipts FOR EACH ROW EXECUTE FUNCTION receipts_count_usage()`);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  isUniqueViolation(err: unknown): boolean {
    return (err as { code?: unknown })?.code === '23505';
  }
}

export async function openPostgresRegistry(url: string, options: { max?: number; now?: () => number } = {}): Promise<SqlRegistry> {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10 });
  // An idle client losing its server must not crash the node; the next query reports it.
  pool.on('error', () => {});
  const registry = new SqlRegistry(new PostgresDriver(pool), options.now);
  try {
    await registry.migrate();
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }
  return registry;
}
