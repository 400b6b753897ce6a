/**
 * Test support: a PostgreSQL server to test the shared registry against. Uses
 * BSN_TEST_POSTGRES_URL when set (`.ci/run` starts one from Debian's packages), else starts
 * a throwaway cluster from the local PostgreSQL binaries (as user `postgres` when running as
 * root, since postgres refuses root). `skipReason` says why there is none.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface PostgresServer {
  /** A fresh, empty database on the server. */
  newDatabase(): Promise<string>;
  stop(): Promise<void>;
}

function pgBin(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    for (const v of readdirSync(base).sort().reverse()) {
      if (existsSync(join(base, v, 'bin', 'pg_ctl'))) return join(base, v, 'bin');
    }
  }
  const which = spawnSync('sh', ['-c', 'command -v pg_ctl'], { encoding: 'utf8' });
  return which.status === 0 ? join(which.stdout.trim(), '..') : undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function databaseMaker(url: string): Promise<(prefix?: string) => Promise<string>> {
  return async () => {
    const name = `bsn_test_${randomBytes(6).toString('hex')}`;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${name}`);
    } finally {
      await client.end();
    }
    return withDatabase(url, name);
  };
}

export let skipReason: string | undefined;

export async function startPostgres(): Promise<PostgresServer | undefined> {
  const given = process.env['BSN_TEST_POSTGRES_URL'];
  if (given) {
    try {
      return { newDatabase: await databaseMaker(given), stop: async () => {} };
    } catch (err) {
      skipReason = `BSN_TEST_POSTGRES_URL is set but unusable: ${(err as Error).message}`;
      return undefined;
    }
  }
  const bin = pgBin();
  if (!bin) {
    skipReason = 'no PostgreSQL: BSN_TEST_POSTGRES_URL is unset and no pg_ctl is installed (apt-get install postgresql)';
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'bsn-pg-'));
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) => {
    const full = asRoot ? (['runuser', ['-u', 'postgres', '--', cmd, ...args]] as const) : ([cmd, args] as const);
    execFileSync(full[0], full[1], { stdio: 'pipe' });
  };
  try {
    if (asRoot) {
      chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
      chmodSync(dir, 0o700);
    }
    const port = await freePort();
    run(join(bin, 'initdb'), ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'bsn', '--no-sync']);
    run(join(bin, 'pg_ctl'), [
      '-D',
      join(dir, 'data'),
      '-l',
      join(dir, 'log'),
      '-w',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      'start',
    ]);
    const url = `postgres://bsn@127.0.0.1:${port}/postgres`;
    return {
      newDatabase: await databaseMaker(url),
      stop: async () => {
        try {
          run(join(bin, 'pg_ctl'), ['-D', join(dir, 'data'), '-m', 'immediate', 'stop']);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (err) {
    skipReason = `cannot start a local PostgreSQL from ${bin}: ${(err as Error).message.split('\n')[0]}`;
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
}
