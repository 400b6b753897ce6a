import { DEFAULT_CHAINCODE_LIMITS, type ChaincodeLimits } from './custom-contract/chaincode-confinement.js';
import { InvalidInputError, readNetworkConfig, type NetworkConfig } from '@bsn/contract';

/** A PEM certificate with its PEM (PKCS#8) private key. */
export interface CertAndKey {
  certificate: string;
  privateKey: string;
}

export interface FabricPeerConfig {
  /** `host:port` to dial. */
  endpoint: string;
  /** TLS server name to expect (`grpc.ssl_target_name_override`). */
  hostOverride?: string;
  /** PEM of the TLS CA that issued the peer's TLS certificate. */
  tlsRootCert: string;
}

export interface FabricOrganizationConfig {
  mspId: string;
  /** The org's peers; the adapter talks to the first one's Gateway service. */
  peers: FabricPeerConfig[];
  /** An ordinary client identity of the org (OU=client): signs reads, look-ups and relayed user-key writes. */
  user: CertAndKey;
  /** The org's signing CA: issues one MSP identity per BSN account key (needs NodeOUs `client`). */
  ca: CertAndKey;
  [key: string]: unknown;
}

/**
 * The NetworkConfig this adapter accepts (JSON Schema: `network-config.schema.json`): the
 * shape the conformance kit's Fabric devnet writes, plus a few optional adapter settings.
 */
export interface FabricNetworkConfig extends NetworkConfig {
  framework: 'fabric';
  name: string;
  /** The Fabric release the peers run, e.g. `2.5.9` (reported by `health()`). */
  fabricVersion?: string;
  /** The shared channel the preset chaincode is committed on. */
  channel: string;
  /** Name of the committed BSN preset chaincode (adapters/fabric/chaincode). */
  chaincode: string;
  organizations: FabricOrganizationConfig[];
  /** Which organization this adapter acts for (its MSP id); default: the first. */
  organization?: string;
  /** Deadline of a read or look-up, ms (default 15000). */
  evaluateTimeoutMs?: number;
  /** Deadline of collecting endorsements, ms (default 30000). */
  endorseTimeoutMs?: number;
  /** Default deadline of a write from endorsement to commit status, ms (default 60000). */
  submitTimeoutMs?: number;
  /** How long a prepared (user-key) transaction may be submitted, ms (default 300000). */
  preparedTtlMs?: number;
  /** Limits of each app's own chaincode server (custom-contract/chaincode-confinement.ts). */
  customChaincode?: Partial<ChaincodeLimits>;
  [key: string]: unknown;
}

export interface ResolvedConfig {
  name: string;
  fabricVersion?: string;
  channel: string;
  chaincode: string;
  org: {
    mspId: string;
    peer: { endpoint: string; hostOverride?: string; tlsRootCert: string };
    user: CertAndKey;
    ca: CertAndKey;
    /**
     * The org admin's certificate (OU=admin), when the config has one: a signer holding its key
     * acts as that admin (configuring interchain delivery is an org admin's act). Its key is never read.
     */
    adminCertificate?: string;
  };
  /** MSP ids of every peer org in the config. */
  mspIds: string[];
  /**
   * Every peer of the config but the gateway peer, with its org: a write returns only once the
   * ones of the orgs that endorsed it have committed it too (endorser-commits.ts).
   */
  otherPeers: Array<{ mspId: string; peer: FabricPeerConfig }>;
  /**
   * What interchain trust roots are made of (`Interchain.trustRoots()`), as far as the config
   * holds it: each peer org's CA certificates (`ca.certificate` plus any `caCerts`), the
   * orderer org's (`orderer.mspId` with `orderer.ca.certificate` / `orderer.caCerts`) and the
   * preset chaincode's endorsement policy (`chaincodes[].endorsementPolicy`). Not checked here:
   * the roots are checked when they are made and again by every verifier.
   */
  pins: {
    orgs: Array<{ mspId: string; caCerts: string[] }>;
    orderer?: { mspId: string; caCerts: string[] };
    endorsementPolicy?: string;
  };
  evaluateTimeoutMs: number;
  endorseTimeoutMs: number;
  submitTimeoutMs: number;
  preparedTtlMs: number;
  customChaincode: ChaincodeLimits;
}

export const DEFAULTS = {
  evaluateTimeoutMs: 15_000,
  endorseTimeoutMs: 30_000,
  submitTimeoutMs: 60_000,
  preparedTtlMs: 300_000,
} as const;

/** The schema this plugin ships (`configSchema` in its manifest), beside `src/` and `dist/`. */
const SCHEMA = new URL('../network-config.schema.json', import.meta.url);

const pair = (x: CertAndKey): CertAndKey => ({ certificate: x.certificate, privateKey: x.privateKey });

/**
 * Checks a NetworkConfig against the shipped schema (InvalidInputError naming the field) and
 * fills in defaults; what the schema cannot say (the organization acted for is one of the
 * config's) is checked here.
 */
export function resolveConfig(network: NetworkConfig): ResolvedConfig {
  const c = readNetworkConfig<FabricNetworkConfig>(network, SCHEMA);
  const mspIds = c.organizations.map((o) => o.mspId);
  const wanted = c.organization ?? mspIds[0]!;
  const index = mspIds.indexOf(wanted);
  if (index < 0) {
    throw new InvalidInputError(`network config /organization: ${JSON.stringify(wanted)} is not one of ${mspIds.join(', ')}`, {
      field: '/organization',
    });
  }
  const o = c.organizations[index]!;
  const peerOf = (p: FabricPeerConfig): FabricPeerConfig => ({
    endpoint: p.endpoint,
    ...(p.hostOverride !== undefined && { hostOverride: p.hostOverride }),
    tlsRootCert: p.tlsRootCert,
  });
  const peer = peerOf(o.peers[0]!);
  const otherPeers = c.organizations
    .flatMap((org) => org.peers.map((p) => ({ mspId: org.mspId, peer: peerOf(p) })))
    .filter((x) => !(x.mspId === wanted && x.peer.endpoint === peer.endpoint));
  return {
    name: c.name,
    ...(c.fabricVersion !== undefined && { fabricVersion: c.fabricVersion }),
    channel: c.channel,
    chaincode: c.chaincode,
    org: { mspId: wanted, peer, user: pair(o.user), ca: pair(o.ca), ...adminOf(o) },
    mspIds,
    otherPeers,
    pins: pinsOf(c, mspIds),
    evaluateTimeoutMs: c.evaluateTimeoutMs ?? DEFAULTS.evaluateTimeoutMs,
    endorseTimeoutMs: c.endorseTimeoutMs ?? DEFAULTS.endorseTimeoutMs,
    submitTimeoutMs: c.submitTimeoutMs ?? DEFAULTS.submitTimeoutMs,
    preparedTtlMs: c.preparedTtlMs ?? DEFAULTS.preparedTtlMs,
    customChaincode: { ...DEFAULT_CHAINCODE_LIMITS, ...c.customChaincode },
  };
}

function adminOf(o: FabricOrganizationConfig): { adminCertificate?: string } {
  const cert = (o as { admin?: { certificate?: unknown } }).admin?.certificate;
  return typeof cert === 'string' ? { adminCertificate: cert } : {};
}

/** CA certificates of one org or orderer section: `ca.certificate` first, then `caCerts` (strings only, deduplicated). */
function caCertsOf(section: unknown): string[] {
  if (typeof section !== 'object' || section === null) return [];
  const s = section as { ca?: { certificate?: unknown }; caCerts?: unknown };
  const all = [s.ca?.certificate, ...(Array.isArray(s.caCerts) ? s.caCerts : [])];
  return [...new Set(all.filter((c): c is string => typeof c === 'string' && c.length > 0))];
}

function pinsOf(c: FabricNetworkConfig, mspIds: string[]): ResolvedConfig['pins'] {
  const orderer = c.orderer as Record<string, unknown> | undefined;
  const ordererCerts = caCertsOf(orderer);
  const definitions = Array.isArray(c.chaincodes) ? (c.chaincodes as Array<Record<string, unknown> | null>) : [];
  const policy = definitions.find((d) => d?.name === c.chaincode)?.endorsementPolicy;
  return {
    orgs: c.organizations.map((o, i) => ({ mspId: mspIds[i]!, caCerts: caCertsOf(o) })),
    ...(typeof orderer?.mspId === 'string' && ordererCerts.length > 0 && { orderer: { mspId: orderer.mspId, caCerts: ordererCerts } }),
    ...(typeof policy === 'string' && { endorsementPolicy: policy }),
  };
}
