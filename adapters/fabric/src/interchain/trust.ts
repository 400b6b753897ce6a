import type { X509Certificate } from 'node:crypto';
import { attesterPolicyFault, type Attester, type TrustRoots } from '@bsn/contract';
import { dedicatedChannelName } from '../channels/names.js';
import { parseAnchor, type PinnedMsp } from './msp.js';

/**
 * Trust roots for Fabric evidence (`TrustRoots.roots` with framework `fabric`), as a city node
 * pins them for one network: what Fabric itself validates a transaction against, reduced to
 * what a verifier outside the network can hold. Empty, missing or malformed roots are never
 * valid (`checkRoots`).
 */
export interface FabricRoots {
  /** The transaction must be on this channel (its channel header). */
  channel: string;
  /**
   * Also accept a transaction on the dedicated channel of the app the evidence is about
   * (`app-` + 40 hex digits of SHA-256 over the packet's source app, or its target app for an
   * ack or a timeout), under the same orgs, orderer, chaincode and policy: a network's dedicated
   * apps get channels copied from the shared one, and a city node pins one set of roots per
   * chain. Nothing else changes: the event, writes and packet are bound to that app as before.
   */
  dedicatedChannels?: boolean;
  /**
   * The chaincode the transaction invokes, is endorsed for and emits from: the preset
   * chaincode, whose `sendPacket` assigns seqs (another chaincode's event proves nothing).
   */
  chaincode: string;
  /**
   * The peer orgs creators and endorsers must belong to. `caCerts` are PEM trust anchors: the
   * `cacerts` (and any `intermediatecerts`) of the org's channel MSP; an identity counts for
   * the MSP only if one of them issued it.
   */
  orgs: Array<{ mspId: string; caCerts: string[] }>;
  /** The ordering org whose node signs blocks (Raft's `BlockValidation`: one orderer member's signature). */
  orderer: { mspId: string; caCerts: string[] };
  /** The chaincode's endorsement policy, as a signature policy over peer identities. */
  policy: FabricPolicy;
  /**
   * City nodes that must also have attested the block (core `attestBlock`), beside the
   * orderer's signature. Without them (and `threshold`) a block is final on the orderer's
   * signature alone: Fabric's finality is immediate.
   */
  attesters?: Attester[];
  /** How many of `attesters` must have attested: 1 to their number, given with them. */
  threshold?: number;
}

/**
 * `all-of` is `AND('Org1MSP.peer','Org2MSP.peer')` (the preset chaincode's), `n-of` is
 * `OutOf(n, …)` (`OR` is `n: 1`).
 */
export type FabricPolicy =
  { kind: 'all-of'; mspIds: string[]; role?: PolicyRole } | { kind: 'n-of'; n: number; mspIds: string[]; role?: PolicyRole };

/**
 * The NodeOU an endorser's certificate must carry: `peer` (default), or `member`, any
 * identity of the org (weaker: only where the channel's policy says so).
 */
export type PolicyRole = 'peer' | 'member';

/** Roots checked and parsed: anchors as certificates, the policy normalised to n of mspIds. */
export interface CheckedRoots {
  channel: string;
  dedicatedChannels: boolean;
  chaincode: string;
  orgs: Map<string, PinnedMsp>;
  orderer: Map<string, PinnedMsp>;
  policy: { n: number; mspIds: string[]; role: PolicyRole };
  attestation?: { attesters: Attester[]; threshold: number };
}

export type RootsCheck = { ok: true; roots: CheckedRoots } | { ok: false; reason: string };

const CHANNEL = /^[a-z][a-z0-9.-]{0,248}$/;
const MSP_ID = /^[A-Za-z0-9._-]{1,64}$/;
const CHAINCODE = /^[A-Za-z0-9_.+-]{1,128}$/;
/** Bounds the work roots can ask of a verifier. */
const MAX_ORGS = 64;
const MAX_CERTS = 16;

function pinnedMsp(value: unknown, what: string): PinnedMsp | string {
  if (typeof value !== 'object' || value === null) return `${what} must be { mspId, caCerts }`;
  const { mspId, caCerts } = value as { mspId?: unknown; caCerts?: unknown };
  if (typeof mspId !== 'string' || !MSP_ID.test(mspId)) return `${what} names no MSP id`;
  if (!Array.isArray(caCerts) || caCerts.length === 0) return `${what} (${mspId}) pins no CA certificate`;
  if (caCerts.length > MAX_CERTS) return `${what} (${mspId}) pins more than ${MAX_CERTS} CA certificates`;
  const anchors: X509Certificate[] = [];
  for (const [i, pem] of caCerts.entries()) {
    const cert = parseAnchor(pem);
    if (typeof cert === 'string') return `${what} (${mspId}) CA certificate ${i} ${cert}`;
    if (anchors.some((a) => a.fingerprint256 === cert.fingerprint256)) return `${what} (${mspId}) pins CA certificate ${i} twice`;
    anchors.push(cert);
  }
  return { mspId, anchors };
}

/** Checks roots before any evidence is looked at: zero, default, empty and missing roots are never valid. */
export function checkRoots(trust: TrustRoots): RootsCheck {
  if (typeof trust !== 'object' || trust === null) return { ok: false, reason: 'no trust roots' };
  if (trust.framework !== 'fabric') return { ok: false, reason: `trust roots are for ${String(trust.framework)}, not fabric` };
  const r = trust.roots as Partial<Record<keyof FabricRoots, unknown>> | undefined;
  if (typeof r !== 'object' || r === null || Object.keys(r).length === 0) return { ok: false, reason: 'trust roots are empty' };
  if (typeof r.channel !== 'string' || !CHANNEL.test(r.channel))
    return { ok: false, reason: 'trust roots pin no channel (a Fabric channel name)' };
  if (typeof r.chaincode !== 'string' || !CHAINCODE.test(r.chaincode)) return { ok: false, reason: 'trust roots pin no chaincode name' };
  if (r.dedicatedChannels !== undefined && typeof r.dedicatedChannels !== 'boolean')
    return { ok: false, reason: "trust roots' dedicatedChannels must be true or false" };

  if (!Array.isArray(r.orgs) || r.orgs.length === 0) return { ok: false, reason: 'trust roots pin no peer organization' };
  if (r.orgs.length > MAX_ORGS) return { ok: false, reason: `trust roots pin more than ${MAX_ORGS} organizations` };
  const orgs = new Map<string, PinnedMsp>();
  for (const [i, o] of r.orgs.entries()) {
    const pinned = pinnedMsp(o, `trust roots' orgs[${i}]`);
    if (typeof pinned === 'string') return { ok: false, reason: pinned };
    if (orgs.has(pinned.mspId)) return { ok: false, reason: `trust roots pin ${pinned.mspId} twice` };
    orgs.set(pinned.mspId, pinned);
  }
  const orderer = pinnedMsp(r.orderer, "trust roots' orderer");
  if (typeof orderer === 'string') return { ok: false, reason: orderer };
  if (orgs.has(orderer.mspId)) return { ok: false, reason: `trust roots pin ${orderer.mspId} both as a peer org and as the orderer org` };

  const p = r.policy as Partial<{ kind: unknown; n: unknown; mspIds: unknown; role: unknown }> | undefined;
  if (typeof p !== 'object' || p === null) return { ok: false, reason: 'trust roots pin no endorsement policy' };
  if (!Array.isArray(p.mspIds) || p.mspIds.length === 0) return { ok: false, reason: 'the endorsement policy names no organization' };
  const mspIds: string[] = [];
  for (const id of p.mspIds) {
    if (typeof id !== 'string' || !orgs.has(id))
      return { ok: false, reason: `the endorsement policy names ${JSON.stringify(id)}, which the roots do not pin` };
    if (mspIds.includes(id)) return { ok: false, reason: `the endorsement policy names ${id} twice` };
    mspIds.push(id);
  }
  let n: number;
  if (p.kind === 'all-of') n = mspIds.length;
  else if (p.kind === 'n-of') {
    if (typeof p.n !== 'number' || !Number.isSafeInteger(p.n) || p.n < 1 || p.n > mspIds.length) {
      return { ok: false, reason: `the endorsement policy's n must be an integer from 1 to ${mspIds.length}` };
    }
    n = p.n;
  } else return { ok: false, reason: `unknown endorsement policy kind ${JSON.stringify(p.kind)} (all-of or n-of)` };
  const role = p.role ?? 'peer';
  if (role !== 'peer' && role !== 'member')
    return { ok: false, reason: `the endorsement policy's role must be peer or member, not ${JSON.stringify(role)}` };

  let attestation: CheckedRoots['attestation'];
  if (r.attesters !== undefined || r.threshold !== undefined) {
    const fault = attesterPolicyFault(r.attesters, r.threshold);
    if (fault) return { ok: false, reason: `trust roots' attester policy is unsound: ${fault}` };
    attestation = { attesters: r.attesters as Attester[], threshold: r.threshold as number };
  }
  return {
    ok: true,
    roots: {
      channel: r.channel,
      dedicatedChannels: r.dedicatedChannels === true,
      chaincode: r.chaincode,
      orgs,
      orderer: new Map([[orderer.mspId, orderer]]),
      policy: { n, mspIds, role },
      ...(attestation && { attestation }),
    },
  };
}

/**
 * Whether a transaction on `channel` may prove something about `app`: the pinned channel, or,
 * where the roots allow dedicated channels, the one channel `app` would have as a dedicated app.
 */
export function channelPinned(roots: Pick<CheckedRoots, 'channel' | 'dedicatedChannels'>, channel: string, app: unknown): boolean {
  if (channel === roots.channel) return true;
  return roots.dedicatedChannels && typeof app === 'string' && app.length > 0 && channel === dedicatedChannelName(app);
}

/**
 * The policy of a Fabric signature-policy string as the devnet and `peer lifecycle` write it,
 * when it is one flat gate over `'<MSP>.<role>'` principals of one role: `AND(…)` → all-of,
 * `OR(…)` → n-of 1, `OutOf(n, …)` → n-of n. Anything else (nested gates, mixed roles) is
 * undefined: the caller falls back to all-of every org, which only ever asks for more.
 */
export function parseSignaturePolicy(text: string): FabricPolicy | undefined {
  const m = /^\s*(AND|OR|OutOf)\s*\((.*)\)\s*$/i.exec(text);
  if (!m) return undefined;
  const gate = m[1]!.toUpperCase();
  const parts = m[2]!.split(',').map((s) => s.trim());
  let n: number | undefined;
  if (gate === 'OUTOF') {
    n = Number(parts.shift());
    if (!Number.isSafeInteger(n)) return undefined;
  }
  const principals = parts.map((s) => /^['"]([A-Za-z0-9._-]{1,64})\.(peer|member)['"]$/.exec(s));
  if (principals.length === 0 || principals.some((x) => !x)) return undefined;
  const roles = new Set(principals.map((x) => x![2]!));
  if (roles.size !== 1) return undefined;
  const role = [...roles][0] as PolicyRole;
  const mspIds = [...new Set(principals.map((x) => x![1]!))];
  if (mspIds.length !== principals.length) return undefined;
  if (gate === 'AND') return { kind: 'all-of', mspIds, role };
  if (gate === 'OR') return { kind: 'n-of', n: 1, mspIds, role };
  if (n! < 1 || n! > mspIds.length) return undefined;
  return n === mspIds.length ? { kind: 'all-of', mspIds, role } : { kind: 'n-of', n: n!, mspIds, role };
}
