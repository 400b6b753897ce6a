import { describe, expect, it } from 'vitest';
import type { Adapter, AppRef, ChainGrant, Signer } from '@bsn/contract';
import type { ConnectedNetwork } from '../networks.js';
import type { App, Grant } from '../registry/registry.js';
import { GrantSync, grantRef } from './grant-sync.js';
import { silent } from './__fixtures__/delivery-world.js';

const app = (code: string, network: string) => ({ code, network }) as App;
const apps = new Map([
  ['p1:src', app('p1:src', 'chain-a')],
  ['p2:dst', app('p2:dst', 'chain-b')],
]);

function networks(fail?: string) {
  const written: Array<{ network: string; app: string; grant: ChainGrant }> = [];
  const net = (name: string) =>
    ({
      name,
      framework: 'fake',
      accountAlgorithm: 'secp256k1',
      adapter: {
        interchain: {
          setGrant: async (a: AppRef, grant: ChainGrant) => {
            if (name === fail) throw new Error('chain down');
            written.push({ network: name, app: a.appId, grant });
          },
        },
      } as unknown as Adapter,
    }) as ConnectedNetwork;
  const all = { 'chain-a': net('chain-a'), 'chain-b': net('chain-b') } as Record<string, ConnectedNetwork>;
  return { written, byName: (n: string) => all[n] };
}

const sync = (nets: ReturnType<typeof networks>, now = 1000) =>
  new GrantSync({ getApp: async (c) => apps.get(c) ?? null }, nets, { chainSigner: () => ({}) as Signer }, silent, () => now);

const side = (methods: string[] = [], expiresAt = 0) => ({ by: 'u', at: 0, methods, expiresAt });

describe('GrantSync', () => {
  it("writes both chain sides once both owners granted: the source's outgoing, the target's incoming, methods both allow, the earlier expiry", async () => {
    const nets = networks();
    const g: Grant = { sourceApp: 'p1:src', targetApp: 'p2:dst', source: side(['kv.put', 'kv.get'], 5000), target: side(['kv.put'], 9000) };
    await sync(nets).sync(g);
    const common = { ref: grantRef('p1:src', 'p2:dst'), methods: ['kv.put'], expiresAt: 5000, revoked: false };
    expect(nets.written).toEqual([
      { network: 'chain-a', app: 'p1:src', grant: { direction: 'outgoing', peerChain: 'chain-b', peerApp: 'p2:dst', ...common } },
      { network: 'chain-b', app: 'p2:dst', grant: { direction: 'incoming', peerChain: 'chain-a', peerApp: 'p1:src', ...common } },
    ]);
    expect(grantRef('p1:src', 'p2:dst')).toMatch(/^g:[0-9a-f]{40}$/);
  });

  it('a grant one side revoked (or never gave) is written revoked on both chains; empty method lists mean every packet method', async () => {
    const nets = networks();
    await sync(nets).sync({ sourceApp: 'p1:src', targetApp: 'p2:dst', source: side() });
    expect(nets.written.map((w) => [w.grant.revoked, w.grant.methods])).toEqual([
      [true, ['kv.put', 'kv.get', 'kv.delete']],
      [true, ['kv.put', 'kv.get', 'kv.delete']],
    ]);
    const expired = networks();
    await sync(expired, 6000).sync({ sourceApp: 'p1:src', targetApp: 'p2:dst', source: side([], 5000), target: side() });
    expect(expired.written.every((w) => w.grant.revoked)).toBe(true);
  });

  it('a chain that refuses the write is a retryable UNAVAILABLE naming the chain', async () => {
    const nets = networks('chain-b');
    await expect(sync(nets).sync({ sourceApp: 'p1:src', targetApp: 'p2:dst', source: side(), target: side() })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining('not yet written on chain-b for p2:dst: chain down (grant again to retry)'),
    });
  });

  it('leaves grants with an app this node does not hold to the node that does', async () => {
    const nets = networks();
    await sync(nets).sync({ sourceApp: 'p1:src', targetApp: 'p9:elsewhere', source: side(), target: side() });
    expect(nets.written).toEqual([]);
  });
});
