/**
 * Test world for the relayer and the attestation API: two fake chains (A, B) and three city-node
 * attesters, each with its own secp256k1 key and its own verifier over roots pinned per chain;
 * both chains pin the three attesters with threshold 2.
 */
import { randomBytes } from 'node:crypto';
import type { Adapter, Logger } from '@bsn/contract';
import { attesterPublicKey, encodePacketCall, fromHex, toBase64 } from '@bsn/contract';
import type { ConnectedNetwork } from '../../networks.js';
import { InterchainAttester } from '../attester.js';
import { EvidenceVerifier } from '../evidence-verifier.js';
import type { AttesterEndpoint } from '../attestation-collector.js';
import { FakeDeliveryChain } from './fake-delivery-chain.js';

export const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export function attesterKey() {
  const privateKey = new Uint8Array(randomBytes(32));
  return { privateKey, publicKey: fromHex(attesterPublicKey(privateKey)) };
}

export function deliveryWorld(options: { attesters?: number; threshold?: number } = {}) {
  const a = new FakeDeliveryChain('chain-a');
  const b = new FakeDeliveryChain('chain-b');
  const chains: Record<string, FakeDeliveryChain> = { 'chain-a': a, 'chain-b': b };
  // The "fake" plugin: verifies each chain's evidence against that chain's own record.
  const plugin = { verify: (e: never, t: { roots: { chain: string } }) => chains[t.roots.chain]!.interchain.verify(e, t as never) };
  const network = (certified: boolean) =>
    ({
      name: 'chain-a',
      framework: 'fake',
      certified,
      adapter: { interchain: plugin } as unknown as Adapter,
    }) as ConnectedNetwork;
  const pinnedRoots = ['chain-a', 'chain-b'].map((chain) => ({ framework: 'fake', chain, roots: { chain } }));
  const keys = Array.from({ length: options.attesters ?? 3 }, attesterKey);
  const attesters = keys.map(
    (k) => new InterchainAttester(new EvidenceVerifier({ all: () => [network(true)] }, pinnedRoots), { byName: () => undefined }, k),
  );
  const pinned = { publicKeys: keys.map((k) => attesterPublicKey(k.privateKey)), threshold: options.threshold ?? 2 };
  a.pinned = pinned;
  b.pinned = pinned;
  const endpoints: AttesterEndpoint[] = attesters.map((att, i) => ({
    name: `node-${i + 1}`,
    // Over JSON, as over the wire.
    attest: (req) => att.attest(JSON.parse(JSON.stringify(req))),
  }));
  const put = (key: string, value: string, timeout = Date.now() + 60_000) => ({
    dstChain: 'chain-b',
    dstApp: 'p:target',
    method: 'kv.put',
    payload: toBase64(encodePacketCall({ method: 'kv.put', key, value: new TextEncoder().encode(value) })),
    timeout,
    grantRef: 'g1',
  });
  return { a, b, chains, network, pinnedRoots, keys, attesters, endpoints, pinned, put };
}
