/** The registry's behaviour, run against every implementation (SQLite, PostgreSQL). */
import { expect, test } from 'vitest';
import { isBsnError } from '@bsn/contract';
import { grantAllows, type Registry } from '../registry.js';

const KEY = `04${'ab'.repeat(64)}`;

export function registrySuite(make: () => Promise<Registry>): void {
  const fresh = async () => {
    const r = await make();
    await r.createPortal({ code: 'p1', name: 'Portal one' });
    await r.createPortal({ code: 'p2', name: 'Portal two' });
    for (const [code, portal] of [
      ['alice', 'p1'],
      ['bob', 'p1'],
      ['mallory', 'p2'],
    ] as const) {
      await r.createUser({ code, portal, algorithm: 'secp256r1', publicKey: KEY, keyMode: 'hosted', role: 'member', chainKeys: {} });
    }
    return r;
  };

  test('portals and users round-trip; duplicates are CONFLICT; a user needs an existing portal', async () => {
    const r = await fresh();
    try {
      expect((await r.listPortals()).map((p) => p.code)).toEqual(['p1', 'p2']);
      const alice = await r.getUser('alice');
      expect(alice).toMatchObject({
        code: 'alice',
        portal: 'p1',
        algorithm: 'secp256r1',
        publicKey: KEY,
        keyMode: 'hosted',
        chainKeys: {},
      });
      expect(alice?.hostedIdentity).toBeUndefined();
      expect(await r.getUser('nobody')).toBeNull();
      const dup = await r.createPortal({ code: 'p1', name: 'again' }).catch((e: unknown) => e);
      expect(isBsnError(dup, 'CONFLICT')).toBe(true);
      const orphan = await r
        .createUser({ code: 'x', portal: 'nope', algorithm: 'sm2', publicKey: KEY, keyMode: 'user', role: 'member', chainKeys: {} })
        .catch((e: unknown) => e);
      expect(isBsnError(orphan, 'NOT_FOUND')).toBe(true);
      expect((await r.getUser('bob'))?.chainKeys).toEqual({});
      await r.setChainKey('bob', 'ethereum', { algorithm: 'secp256k1', publicKey: KEY });
      expect((await r.getUser('bob'))?.chainKeys).toEqual({ ethereum: { algorithm: 'secp256k1', publicKey: KEY } });
      // A caller changing a record it was given changes nothing for the next one.
      const bob = (await r.getUser('bob'))!;
      try {
        (bob.chainKeys as Record<string, unknown>)['fabric'] = { algorithm: 'secp256r1', publicKey: KEY };
        (bob as { role: string }).role = 'admin';
      } catch {
        // Frozen (a cached record): as good.
      }
      expect(await r.getUser('bob')).toMatchObject({ role: 'member', chainKeys: { ethereum: { algorithm: 'secp256k1', publicKey: KEY } } });
      await r.createUser({
        code: 'hosted',
        portal: 'p1',
        algorithm: 'sm2',
        publicKey: KEY,
        keyMode: 'hosted',
        role: 'admin',
        chainKeys: {},
        hostedIdentity: '{"x":1}',
      });
      expect((await r.getUser('hosted'))?.hostedIdentity).toBe('{"x":1}');
      expect((await r.listUsers('p1')).map((u) => u.code)).toEqual(['alice', 'bob', 'hosted']);
    } finally {
      await r.close();
    }
  });

  test('portals carry a jurisdiction policy; an update replaces what it names and keeps the rest', async () => {
    const r = await fresh();
    try {
      expect((await r.getPortal('p1'))?.policy).toEqual({});
      const cn = await r.createPortal({ code: 'cn', name: 'Mainland', policy: { frameworks: ['fabric', 'fisco-bcos'], networks: [] } });
      expect(cn.policy).toEqual({ frameworks: ['fabric', 'fisco-bcos'], networks: [] });
      expect((await r.getPortal('cn'))?.policy).toEqual({ frameworks: ['fabric', 'fisco-bcos'], networks: [] });
      const renamed = await r.updatePortal('cn', { name: 'Mainland China' });
      expect(renamed).toMatchObject({ code: 'cn', name: 'Mainland China', policy: { frameworks: ['fabric', 'fisco-bcos'], networks: [] } });
      const widened = await r.updatePortal('cn', { policy: { frameworks: ['fabric'] } });
      expect(widened).toMatchObject({ name: 'Mainland China', policy: { frameworks: ['fabric'] } });
      expect((await r.listPortals()).find((p) => p.code === 'cn')?.policy).toEqual({ frameworks: ['fabric'] });
      const missing = await r.updatePortal('nope', { name: 'x' }).catch((e: unknown) => e);
      expect(isBsnError(missing, 'NOT_FOUND')).toBe(true);
    } finally {
      await r.close();
    }
  });

  test('a user update changes role or key, and the next look-up sees it (no stale cached record)', async () => {
    const r = await fresh();
    try {
      const other = `04${'cd'.repeat(64)}`;
      expect((await r.getUser('bob'))?.role).toBe('member');
      expect(await r.updateUser('bob', { role: 'operator' })).toMatchObject({ code: 'bob', role: 'operator', publicKey: KEY });
      expect((await r.getUser('bob'))?.role).toBe('operator');
      await r.updateUser('bob', { algorithm: 'sm2', publicKey: other });
      expect(await r.getUser('bob')).toMatchObject({ role: 'operator', algorithm: 'sm2', publicKey: other });
      const missing = await r.updateUser('nobody', { role: 'admin' }).catch((e: unknown) => e);
      expect(isBsnError(missing, 'NOT_FOUND')).toBe(true);
    } finally {
      await r.close();
    }
  });

  test('apps: owner admitted, listing by portal and by admitted user, duplicates CONFLICT', async () => {
    const r = await fresh();
    try {
      const app = await r.createApp({
        code: 'kv1',
        portal: 'p1',
        owner: 'alice',
        name: 'KV',
        framework: 'ethereum',
        network: 'anvil',
        chain: { appId: 'kv1' },
      });
      expect(app.createdAt).toBeGreaterThan(0);
      await r.createApp({ code: 'kv2', portal: 'p1', owner: 'bob', name: 'KV2', framework: 'ethereum', network: 'anvil', chain: {} });
      await r.createApp({ code: 'other', portal: 'p2', owner: 'mallory', name: 'O', framework: 'ethereum', network: 'anvil', chain: {} });
      expect(await r.isAdmitted('kv1', 'alice')).toBe(true);
      expect(await r.isAdmitted('kv1', 'bob')).toBe(false);
      await r.admit('kv1', 'bob');
      await r.admit('kv1', 'bob');
      expect(await r.admitted('kv1')).toEqual(['alice', 'bob']);
      expect((await r.listApps('p1')).map((a) => a.code)).toEqual(['kv1', 'kv2']);
      expect((await r.listApps('p1', 'alice')).map((a) => a.code)).toEqual(['kv1']);
      expect((await r.listApps('p2')).map((a) => a.code)).toEqual(['other']);
      expect(await r.countApps()).toBe(3);
      expect((await r.getApp('kv1'))?.chain).toEqual({ appId: 'kv1' });
      await r.updateAppChain('kv1', { appId: 'kv1', state: 'frozen' });
      expect((await r.getApp('kv1'))?.chain).toEqual({ appId: 'kv1', state: 'frozen' });
      await r.createApp({ code: 'dev1', portal: 'p1', owner: 'alice', name: 'D', framework: 'ethereum', network: 'devnet', chain: {} });
      expect(await r.getApp('dev1')).not.toBeNull();
      expect(await r.isAdmitted('dev1', 'alice')).toBe(true);
      await r.addUsage('dev1', { txs: 1 });
      await r.grant('dev1', 'kv1', 'source', { by: 'alice', at: 1, methods: [], expiresAt: 0 });
      expect(await r.removeAppsOnNetwork('devnet')).toEqual(['dev1']);
      expect(await r.getApp('dev1')).toBeNull();
      expect(await r.isAdmitted('dev1', 'alice')).toBe(false);
      expect(await r.listGrants('kv1')).toEqual([]);
      expect((await r.usage('dev1')).txs).toBe(0);
      const dup = await r
        .createApp({ code: 'kv1', portal: 'p2', owner: 'mallory', name: 'x', framework: 'ethereum', network: 'anvil', chain: {} })
        .catch((e: unknown) => e);
      expect(isBsnError(dup, 'CONFLICT')).toBe(true);
    } finally {
      await r.close();
    }
  });

  test('grants need both sides, honour expiry and methods, and can be revoked', async () => {
    const r = await fresh();
    try {
      const side = (by: string, methods: string[] = [], expiresAt = 0) => ({ by, at: 1, methods, expiresAt });
      let g = await r.grant('a', 'b', 'source', side('alice'));
      expect(grantAllows(g, 'put', 10)).toBe(false);
      g = await r.grant('a', 'b', 'target', side('bob', ['put'], 100));
      expect(grantAllows(g, 'put', 10)).toBe(true);
      expect(grantAllows(g, 'delete', 10)).toBe(false);
      expect(grantAllows(g, 'put', 100)).toBe(false);
      expect((await r.listGrants('b')).length).toBe(1);
      expect(await r.getGrant('b', 'a')).toBeNull();
      g = (await r.revokeGrant('a', 'b', 'source'))!;
      expect(g.source).toBeUndefined();
      expect(grantAllows(g, 'put', 10)).toBe(false);
    } finally {
      await r.close();
    }
  });

  test('a nonce is single-use per user; expired nonces are pruned', async () => {
    const r = await fresh();
    try {
      expect(await r.useNonce('alice', 'n1', 1000)).toBe(true);
      expect(await r.useNonce('alice', 'n1', 1000)).toBe(false);
      expect(await r.useNonce('bob', 'n1', 1000)).toBe(true);
      expect(await r.useNonce('alice', 'n2', 5000)).toBe(true);
      expect(await r.pruneNonces(2000)).toBe(2);
      expect(await r.useNonce('alice', 'n2', 5000)).toBe(false);
      // concurrent uses of one nonce: exactly one wins
      const results = await Promise.all(Array.from({ length: 10 }, () => r.useNonce('alice', 'race', 9000)));
      expect(results.filter(Boolean)).toHaveLength(1);
    } finally {
      await r.close();
    }
  });

  test('request claims: one holder at a time, taken over only once expired, renewed and released by their holder', async () => {
    const r = await fresh();
    try {
      const claim = (holder: string, leaseUntil: number, contentHash = 'h') => ({
        app: 'a',
        requestId: 'r',
        contentHash,
        holder,
        leaseUntil,
      });
      expect(await r.claimRequest(claim('i1', 1_000), 0)).toEqual({ claimed: true });
      expect(await r.claimRequest(claim('i2', 2_000, 'other'), 500)).toEqual({ claimed: false, held: claim('i1', 1_000) });
      // Its holder renews it; a stranger cannot.
      expect(await r.renewClaim('a', 'r', 'i1', 3_000)).toBe(true);
      expect(await r.renewClaim('a', 'r', 'i2', 9_000)).toBe(false);
      expect(await r.claimRequest(claim('i2', 4_000), 2_500)).toMatchObject({ claimed: false, held: { holder: 'i1', leaseUntil: 3_000 } });
      // Expired: the first to ask takes it over; the old holder can no longer renew or release it.
      expect(await r.claimRequest(claim('i2', 9_000), 3_001)).toEqual({ claimed: true });
      expect(await r.renewClaim('a', 'r', 'i1', 10_000)).toBe(false);
      await r.releaseClaim('a', 'r', 'i1');
      expect(await r.claimRequest(claim('i3', 9_500), 3_002)).toMatchObject({ claimed: false, held: { holder: 'i2' } });
      await r.releaseClaim('a', 'r', 'i2');
      expect(await r.claimRequest(claim('i3', 9_500), 3_003)).toEqual({ claimed: true });
      // Twenty instances at once: one holder.
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          r.claimRequest({ app: 'a', requestId: 'many', contentHash: 'h', holder: `x${i}`, leaseUntil: 5_000 }, 0),
        ),
      );
      expect(results.filter((c) => c.claimed)).toHaveLength(1);
    } finally {
      await r.close();
    }
  });

  test('receipts: first one wins, counted once in usage in its own commit; prepared transactions; usage counters add up', async () => {
    const r = await fresh();
    try {
      expect(await r.getReceipt('kv1', 'req-1')).toBeNull();
      const first = await r.putReceipt({ app: 'kv1', requestId: 'req-1', contentHash: 'h1', receipt: { txId: '0x1' } }, 12);
      const again = await r.putReceipt({ app: 'kv1', requestId: 'req-1', contentHash: 'h2', receipt: { txId: '0x2' } }, 12);
      expect([first.inserted, again.inserted]).toEqual([true, false]);
      expect({ ...again, inserted: true }).toEqual(first);
      // Twenty of the same id at once (instances racing): one receipt, one transaction counted.
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => r.putReceipt({ app: 'kv2', requestId: 'same', contentHash: `h${i}`, receipt: { i } }, 3)),
      );
      expect(await r.usage('kv2')).toMatchObject({ txs: 1, storageBytes: 3 });
      expect(await r.usage('kv1')).toMatchObject({ txs: 1, storageBytes: 12 });
      expect(first.receipt).toEqual({ txId: '0x1' });
      await r.putPrepared({
        id: 'p-1',
        app: 'kv1',
        user: 'alice',
        contentHash: 'h',
        prepared: { digest: 'ff' },
        expiresAt: Date.now() + 1000,
      });
      expect((await r.getPrepared('p-1'))?.prepared).toEqual({ digest: 'ff' });
      await r.deletePrepared('p-1');
      expect(await r.getPrepared('p-1')).toBeNull();
      expect(await r.usage('kv3')).toEqual({ app: 'kv3', txs: 0, reads: 0, storageBytes: 0, bytesIn: 0, bytesOut: 0 });
      await Promise.all([r.addUsage('kv1', { reads: 2, bytesIn: 100 }), r.addUsage('kv1', { reads: 1, bytesOut: 7 })]);
      expect(await r.usage('kv1')).toEqual({ app: 'kv1', txs: 1, reads: 3, storageBytes: 12, bytesIn: 100, bytesOut: 7 });
      expect((await r.allUsage()).map((u) => u.app)).toEqual(['kv1', 'kv2']);
      expect(await r.ping()).toBe(true);
    } finally {
      await r.close();
    }
  });
}
