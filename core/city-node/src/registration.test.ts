/**
 * A refused registration changes nothing: the user keeps signing with the identity the
 * registry holds, on-chain membership stays with it (the fleet bug of #20: an instance cached
 * the identity generated for a registration the registry then refused).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBsnError } from '@bsn/contract';
import { BsnClient } from '@bsn/client';
import { newKey, startTestNode } from './testing/index.js';

describe('a refused registration', () => {
  let t: Awaited<ReturnType<typeof startTestNode>>;
  beforeAll(async () => {
    t = await startTestNode({
      users: [
        ['alice', 'p1', 'secp256r1', 'hosted', 'admin'],
        ['mallory', 'p2', 'secp256k1', 'hosted', 'admin'],
      ],
    });
  });
  afterAll(() => t.stop());

  it("leaves the registered user's hosted key signing, and membership with it", async () => {
    const alice = t.users['alice']!.rest;
    const dave = newKey('secp256r1');
    await alice.createUser({ code: 'dave', algorithm: 'secp256r1', publicKey: dave.publicKey });
    await alice.createApp({ code: 'reg', members: ['dave'] });
    const daveClient = new BsnClient({ baseUrl: t.node.restUrl, user: 'dave', algorithm: 'secp256r1', privateKey: dave.privateKey });
    await daveClient.put('reg', 'k', 'first');

    // The same registration again (a retry), and one from another portal's admin with the same code.
    const again = await alice.createUser({ code: 'dave', algorithm: 'secp256r1', publicKey: dave.publicKey }).catch((e: unknown) => e);
    expect(isBsnError(again, 'CONFLICT')).toBe(true);
    const other = newKey('secp256k1');
    const foreign = await t.users['mallory']!.rest.createUser({ code: 'dave', algorithm: 'secp256k1', publicKey: other.publicKey }).catch(
      (e: unknown) => e,
    );
    expect(isBsnError(foreign, 'CONFLICT')).toBe(true);

    // Still dave's registered identity: a member, so the write lands.
    await daveClient.put('reg', 'k', 'second');
    expect((await daveClient.get('reg', 'k'))?.text).toBe('second');
    // Admitting through this instance again keeps the same on-chain member (no second account).
    const before = (await alice.getApp('reg')) as { members?: unknown };
    await alice.admit('reg', 'dave');
    expect(await alice.getApp('reg')).toEqual(before);
    await daveClient.put('reg', 'k', 'third');
  });
});
