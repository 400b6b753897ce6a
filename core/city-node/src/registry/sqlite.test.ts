import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { registrySuite } from './__fixtures__/registry-suite.js';
import { openSqliteRegistry } from './sqlite.js';

describe('SQLite registry', () => {
  registrySuite(() => openSqliteRegistry(':memory:'));

  test('data survives closing and reopening the file', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'bsn-reg-')), 'sub', 'registry.sqlite');
    const a = await openSqliteRegistry(path);
    await a.createPortal({ code: 'p', name: 'P' });
    await a.useNonce('u', 'n', 1);
    await a.close();
    const b = await openSqliteRegistry(path);
    expect(await b.getPortal('p')).toMatchObject({ code: 'p', name: 'P' });
    expect(await b.useNonce('u', 'n', 1)).toBe(false);
    await b.close();
  });

  test('writes of one event-loop turn share a commit, and each resolves only once it is committed', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'bsn-reg-')), 'registry.sqlite');
    const a = await openSqliteRegistry(path);
    await a.createPortal({ code: 'p', name: 'P' });
    const other = new Database(path, { readonly: true });
    const count = () => (other.prepare('SELECT COUNT(*) AS n FROM nonces').get() as { n: number }).n;
    const settled: string[] = [];
    const writes = ['n1', 'n2', 'n1'].map((n, i) => a.useNonce('u', n, 1).then((fresh) => settled.push(`${i}:${fresh}`)));
    const usage = a.addUsage('app', { reads: 1 }).then(() => settled.push('usage'));
    // Same turn: executed inside the open transaction, invisible to another connection, not settled.
    expect(count()).toBe(0);
    expect(settled).toEqual([]);
    await Promise.all([...writes, usage]);
    expect(count()).toBe(2);
    expect(settled).toEqual(['0:true', '1:true', '2:false', 'usage']);
    expect((await a.usage('app')).reads).toBe(1);
    other.close();
    await a.close();
  });

  test('a write outside the group commits the group first, so it never joins it', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'bsn-reg-')), 'registry.sqlite');
    const a = await openSqliteRegistry(path);
    const nonce = a.useNonce('u', 'n', 1);
    await a.createPortal({ code: 'p', name: 'P' });
    const other = new Database(path, { readonly: true });
    expect((other.prepare('SELECT COUNT(*) AS n FROM nonces').get() as { n: number }).n).toBe(1);
    expect(await nonce).toBe(true);
    other.close();
    await a.close();
  });

  test('a registry made before portal policies gains the column, and its portals may offer anything', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'bsn-reg-')), 'registry.sqlite');
    const before = new Database(path);
    before.exec(`CREATE TABLE portals (code TEXT PRIMARY KEY, name TEXT NOT NULL, created_at BIGINT NOT NULL);
      INSERT INTO portals VALUES ('old', 'Old portal', 1)`);
    before.close();
    const a = await openSqliteRegistry(path);
    expect(await a.getPortal('old')).toEqual({ code: 'old', name: 'Old portal', policy: {}, createdAt: 1 });
    expect((await a.updatePortal('old', { policy: { frameworks: ['fabric'] } })).policy).toEqual({ frameworks: ['fabric'] });
    await a.close();
  });

  test('a registry whose nonces table has row ids is rebuilt WITHOUT ROWID once, keeping its nonces', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'bsn-reg-')), 'registry.sqlite');
    const before = new Database(path);
    before.exec(`CREATE TABLE nonces (user_code TEXT NOT NULL, nonce TEXT NOT NULL, expires_at BIGINT NOT NULL, PRIMARY KEY (user_code, nonce));
      CREATE INDEX nonces_expiry ON nonces(expires_at);
      INSERT INTO nonces VALUES ('u', 'old', 5), ('u', 'older', 1)`);
    before.close();
    const a = await openSqliteRegistry(path);
    expect(await a.useNonce('u', 'old', 5)).toBe(false);
    expect(await a.useNonce('u', 'new', 5)).toBe(true);
    expect(await a.pruneNonces(2)).toBe(1);
    await a.close();
    const after = new Database(path, { readonly: true });
    const tables = after.prepare("SELECT name, sql FROM sqlite_master WHERE name LIKE 'nonces%' ORDER BY name").all() as Array<{
      name: string;
      sql: string;
    }>;
    expect(tables.map((t) => t.name)).toEqual(['nonces', 'nonces_expiry']);
    expect(tables[0]!.sql).toMatch(/WITHOUT ROWID/);
    after.close();
    const again = await openSqliteRegistry(path);
    expect(await again.useNonce('u', 'new', 5)).toBe(false);
    await again.close();
  });
});
