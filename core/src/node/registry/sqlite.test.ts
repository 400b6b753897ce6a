import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
});
