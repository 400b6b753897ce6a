import { InvalidInputError, type NetworkConfig } from '@bsn/contract';

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
  };
  /** MSP ids of every peer org in the config. */
  mspIds: string[];
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
}

export const DEFAULTS = {
  evaluateTimeoutMs: 15_000,
  endorseTimeoutMs: 30_000,
  submitTimeoutMs: 60_000,
  preparedTtlMs: 300_000,
} as const;

function bad(field: string, message: string): never {
  throw new InvalidInputError(`network config: ${message}`, { field });
}

/**
 * Readers of the network config's strings, PEMs and certificate/key pairs that report a bad
 * field through `fail`: the config proper refuses with InvalidInputError at connect, the
 * admin material for dedicated channels with UnavailableError at create time.
 */
export function configReaders(fail: (field: string, message: string) => never) {
  const str = (value: unknown, field: string, what: string): string => {
    if (typeof value !== 'string' || value.length === 0) fail(field, `${what} must be a non-empty string`);
    return value;
  };
  const pem = (value: unknown, field: string, kind: 'CERTIFICATE' | 'PRIVATE KEY'): string => {
    const text = str(value, field, field.slice(1));
    if (!text.includes(`-----BEGIN ${kind}-----`) && !(kind === 'PRIVATE KEY' && /-----BEGIN (EC )?PRIVATE KEY-----/.test(text))) {
      fail(field, `${field.slice(1)} must be a PEM ${kind.toLowerCase()}`);
    }
    return text;
  };
  const certAndKey = (value: unknown, field: string): CertAndKey => {
    if (typeof value !== 'object' || value === null) fail(field, `${field.slice(1)} must be { certificate, privateKey }`);
    const v = value as Record<string, unknown>;
    return { certificate: pem(v.certificate, `${field}/certificate`, 'CERTIFICATE'), privateKey: pem(v.privateKey, `${field}/privateKey`, 'PRIVATE KEY') };
  };
  return { str, pem, certAndKey };
}

const { str, pem, certAndKey } = configReaders(bad);

function intIn(value: unknown, field: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) bad(field, `${field.slice(1)} must be an integer in [${min}, ${max}]`);
  return value;
}

/** Checks a NetworkConfig and fills in defaults. Throws InvalidInputError naming the field. */
export function resolveConfig(network: NetworkConfig): ResolvedConfig {
  if (typeof network !== 'object' || network === null) bad('', 'the network config must be an object');
  const c = network as Record<string, unknown>;
  if (c.framework !== 'fabric') bad('/framework', `framework must be "fabric", not ${JSON.stringify(c.framework)}`);
  const name = str(c.name, '/name', 'name');
  const channel = str(c.channel, '/channel', 'channel');
  if (!/^[a-z][a-z0-9.-]{0,248}$/.test(channel)) bad('/channel', 'channel must be a Fabric channel name');
  if (c.chaincode === undefined) bad('/chaincode', 'chaincode must name the committed BSN preset chaincode (adapters/fabric/chaincode)');
  const chaincode = str(c.chaincode, '/chaincode', 'chaincode');
  if (!Array.isArray(c.organizations) || c.organizations.length === 0) bad('/organizations', 'organizations must list at least one peer organization');
  const orgs = c.organizations as unknown[];
  const mspIds = orgs.map((o, i) => str((o as Record<string, unknown> | null)?.mspId, `/organizations/${i}/mspId`, 'mspId'));
  const wanted = c.organization === undefined ? mspIds[0]! : str(c.organization, '/organization', 'organization');
  const index = mspIds.indexOf(wanted);
  if (index < 0) bad('/organization', `organization ${JSON.stringify(wanted)} is not one of ${mspIds.join(', ')}`);
  const o = orgs[index] as Record<string, unknown>;
  const at = `/organizations/${index}`;
  if (!Array.isArray(o.peers) || o.peers.length === 0) bad(`${at}/peers`, 'the organization needs at least one peer');
  const p = o.peers[0] as Record<string, unknown>;
  const peer = {
    endpoint: str(p?.endpoint, `${at}/peers/0/endpoint`, 'endpoint'),
    ...(p?.hostOverride !== undefined && { hostOverride: str(p.hostOverride, `${at}/peers/0/hostOverride`, 'hostOverride') }),
    tlsRootCert: pem(p?.tlsRootCert, `${at}/peers/0/tlsRootCert`, 'CERTIFICATE'),
  };
  if (!/^[^\s:/]+:\d{1,5}$/.test(peer.endpoint)) bad(`${at}/peers/0/endpoint`, 'endpoint must be host:port');
  return {
    name,
    ...(typeof c.fabricVersion === 'string' && { fabricVersion: c.fabricVersion }),
    channel,
    chaincode,
    org: { mspId: wanted, peer, user: certAndKey(o.user, `${at}/user`), ca: certAndKey(o.ca, `${at}/ca`) },
    mspIds,
    pins: pinsOf(c, orgs, mspIds, chaincode),
    evaluateTimeoutMs: intIn(c.evaluateTimeoutMs, '/evaluateTimeoutMs', 100, 600_000, DEFAULTS.evaluateTimeoutMs),
    endorseTimeoutMs: intIn(c.endorseTimeoutMs, '/endorseTimeoutMs', 100, 600_000, DEFAULTS.endorseTimeoutMs),
    submitTimeoutMs: intIn(c.submitTimeoutMs, '/submitTimeoutMs', 1_000, 86_400_000, DEFAULTS.submitTimeoutMs),
    preparedTtlMs: intIn(c.preparedTtlMs, '/preparedTtlMs', 1_000, 86_400_000, DEFAULTS.preparedTtlMs),
  };
}

/** CA certificates of one org or orderer section: `ca.certificate` first, then `caCerts` (strings only, deduplicated). */
function caCertsOf(section: unknown): string[] {
  if (typeof section !== 'object' || section === null) return [];
  const s = section as { ca?: { certificate?: unknown }; caCerts?: unknown };
  const all = [s.ca?.certificate, ...(Array.isArray(s.caCerts) ? s.caCerts : [])];
  return [...new Set(all.filter((c): c is string => typeof c === 'string' && c.length > 0))];
}

function pinsOf(c: Record<string, unknown>, orgs: unknown[], mspIds: string[], chaincode: string): ResolvedConfig['pins'] {
  const orderer = c.orderer as Record<string, unknown> | undefined;
  const ordererCerts = caCertsOf(orderer);
  const definitions = Array.isArray(c.chaincodes) ? (c.chaincodes as Array<Record<string, unknown> | null>) : [];
  const policy = definitions.find((d) => d?.name === chaincode)?.endorsementPolicy;
  return {
    orgs: orgs.map((o, i) => ({ mspId: mspIds[i]!, caCerts: caCertsOf(o) })),
    ...(typeof orderer?.mspId === 'string' && ordererCerts.length > 0 && { orderer: { mspId: orderer.mspId, caCerts: ordererCerts } }),
    ...(typeof policy === 'string' && { endorsementPolicy: policy }),
  };
}
