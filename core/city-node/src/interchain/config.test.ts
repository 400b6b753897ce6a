import { describe, expect, it } from 'vitest';
import { resolveNodeConfig } from '../config.js';

const key = `04${'11'.repeat(64)}`;
const resolve = (interchain: unknown) => resolveNodeConfig({ interchain }, '/tmp');

describe('node config: interchain', () => {
  it('defaults to no pinned chains, no peers, no relaying', () => {
    expect(resolveNodeConfig({}, '/tmp').interchain).toEqual({
      chains: [],
      peers: [],
      relay: { enabled: false, pollMs: 1000, threshold: 1 },
    });
  });

  it('keeps pinned roots per chain and peers with their request keys (0x and case normalised)', () => {
    const c = resolve({
      chains: [{ chain: 'eth-b', framework: 'ethereum', roots: { chainId: 1 } }],
      peers: [
        { name: 'node-2', url: 'http://127.0.0.1:8081/', requestKey: { algorithm: 'secp256r1', publicKey: `0x${key.toUpperCase()}` } },
      ],
      relay: { enabled: true, threshold: 2 },
    });
    expect(c.interchain.chains).toEqual([{ framework: 'ethereum', chain: 'eth-b', roots: { chainId: 1 } }]);
    expect(c.interchain.peers[0]).toEqual({
      name: 'node-2',
      url: 'http://127.0.0.1:8081',
      requestKey: { algorithm: 'secp256r1', publicKey: key },
    });
    expect(c.interchain.relay).toEqual({ enabled: true, pollMs: 1000, threshold: 2 });
  });

  it('refuses what cannot be right, naming the field', () => {
    const field = (interchain: unknown) => {
      try {
        resolve(interchain);
      } catch (err) {
        return (err as { field?: string }).field;
      }
      return 'accepted';
    };
    expect(field({ chains: [{ chain: 'Eth B', framework: 'ethereum', roots: { a: 1 } }] })).toBe('/interchain/chains/0/chain');
    expect(field({ chains: [{ chain: 'eth-b', framework: 'ethereum', roots: {} }] })).toBe('/interchain/chains/0/roots');
    expect(field({ chains: [{ chain: 'eth-b', framework: 'ethereum' }] })).toBe('/interchain/chains/0/roots');
    const root = { chain: 'eth-b', framework: 'ethereum', roots: { a: 1 } };
    expect(field({ chains: [root, root] })).toBe('/interchain/chains/1/chain');
    const peer = { name: 'n2', url: 'http://x', requestKey: { algorithm: 'secp256r1', publicKey: key } };
    expect(field({ peers: [peer, peer] })).toBe('/interchain/peers/1/name');
    expect(field({ peers: [{ ...peer, requestKey: { algorithm: 'rsa', publicKey: key } }] })).toBe(
      '/interchain/peers/0/requestKey/algorithm',
    );
    expect(field({ peers: [{ ...peer, url: 'ftp://x' }] })).toBe('/interchain/peers/0/url');
    expect(field({ relay: { threshold: 0 } })).toBe('/interchain/relay/threshold');
  });
});
