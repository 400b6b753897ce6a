/**
 * The node config's `interchain` section (schemas/node-config.schema.json): the trust roots this
 * node pins per remote chain, its peer city nodes and its relayer. Validated by the schema first;
 * here what a schema cannot say (a chain or peer named twice) is refused naming the field.
 */
import type { KeyAlgorithm, TrustRoots } from '@bsn/contract';
import { InvalidInputError } from '@bsn/contract';

export interface PeerNode {
  name: string;
  url: string;
  /** The peer's node key: its requests to this node must verify with it. */
  requestKey: { algorithm: KeyAlgorithm; publicKey: string };
}

export interface InterchainConfig {
  /** Pinned trust roots by chain name. */
  chains: TrustRoots[];
  peers: PeerNode[];
  relay: { enabled: boolean; pollMs: number; threshold: number };
}

type Raw = Record<string, unknown>;
const obj = (v: unknown): Raw => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Raw) : {});

function once(values: string[], what: string, field: (i: number) => string): void {
  const seen = new Set<string>();
  values.forEach((v, i) => {
    if (seen.has(v)) throw new InvalidInputError(`node config ${field(i)}: ${what} "${v}" is listed twice`, { field: field(i) });
    seen.add(v);
  });
}

/** The section as the schema validated it, defaulted. */
export function resolveInterchainConfig(raw: unknown): InterchainConfig {
  const d = obj(raw);
  const chains = ((d['chains'] as Raw[] | undefined) ?? []).map((c) => ({
    framework: c['framework'] as string,
    chain: c['chain'] as string,
    roots: c['roots'] as Record<string, unknown>,
  }));
  once(
    chains.map((c) => c.chain),
    'chain',
    (i) => `/interchain/chains/${i}/chain`,
  );
  const peers = ((d['peers'] as Raw[] | undefined) ?? []).map((p) => {
    const key = obj(p['requestKey']);
    return {
      name: p['name'] as string,
      url: (p['url'] as string).replace(/\/+$/, ''),
      requestKey: {
        algorithm: key['algorithm'] as KeyAlgorithm,
        publicKey: (key['publicKey'] as string).replace(/^0x/, '').toLowerCase(),
      },
    };
  });
  once(
    peers.map((p) => p.name),
    'peer',
    (i) => `/interchain/peers/${i}/name`,
  );
  const relay = obj(d['relay']);
  return {
    chains,
    peers,
    relay: {
      enabled: (relay['enabled'] as boolean | undefined) ?? false,
      pollMs: (relay['pollMs'] as number | undefined) ?? 1000,
      threshold: (relay['threshold'] as number | undefined) ?? 1,
    },
  };
}
