import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { registrySuite } from './__fixtures__/registry-suite.js';
import { skipReason, startPostgres, type PostgresServer } from '../testing/postgres-server.js';
import { openPostgresRegistry } from './postgres.js';

const server: PostgresServer | undefined = await startPostgres();
if (!server) console.warn(`PostgreSQL registry tests skipped: ${skipReason}`);

describe.skipIf(!server)('PostgreSQL registry', () => {
  afterAll(async () => {
    await server?.stop();
  });

  registrySuite(async () => openPostgresRegistry(await server!.newDatabase()));

  describe('two instances on one database', () => {
    let url: string;
    beforeAll(async () => {
      url = await server!.newDatabase();
    });

    test("migrate concurrently, see each other's writes, and share nonces", async () => {
      const [a, b] = await Promise.all([openPostgresRegistry(url), openPostgresRegistry(url)]);
      try {
        await a.createPortal({ code: 'shared', name: 'Shared' });
        expect(await b.getPortal('shared')).toMatchObject({ code: 'shared' });
        expect(await a.useNonce('u', 'n', 10)).toBe(true);
        expect(await b.useNonce('u', 'n', 10)).toBe(false);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });
  });
});
