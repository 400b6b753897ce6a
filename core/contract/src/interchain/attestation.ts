import { KEY_ALGORITHMS, type KeyAlgorithm } from '../contract/keys.js';
import { InvalidInputError } from '../errors/errors.js';
import { fromHex, toHex } from '../encoding/bytes.js';
import { isValidPublicKey } from '../crypto/algorithms.js';
import { keyIdOf } from '../crypto/key-id.js';
import { signDocument, verifyDocument, type SignedDocument } from '../crypto/signed-document.js';
import { isKeyAlgorithm } from '../crypto/scalars.js';

/**
 * Block attestations: a city node connected to a chain states, under its own key, that a
 * block is final there. Frameworks whose finality a verifier in another city node cannot
 * check by itself (an Ethereum dev or PoA chain, a chain with probabilistic finality) rely
 * on t-of-M such statements from pinned attesters. Framework-neutral: the signed payload
 * names the framework, the chain, the height and the hash, nothing else.
 */

/** The signing domain (the signed bytes start `bsn:block-attestation:v1\n`). */
export const BLOCK_ATTESTATION_DOMAIN = 'block-attestation';

/** Framework and chain names: lowercase, 1–64 characters (as packets name chains). */
const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
/** Enough for every framework's block hash (32 bytes everywhere today), with room to spare. */
const MIN_HASH_BYTES = 16;
const MAX_HASH_BYTES = 64;
/** Bounds the work a relayer can make a verifier do. */
export const MAX_ATTESTATIONS = 256;

/** The block a city node vouches for. `hash` is hex, either case, optional 0x. */
export interface AttestedBlock {
  framework: string;
  chain: string;
  number: number;
  hash: string;
}

/** Exactly what is signed: `hash` normalised to lowercase hex without 0x, so spellings cannot disagree. */
export interface BlockAttestationPayload {
  v: 1;
  framework: string;
  chain: string;
  number: number;
  hash: string;
}

export type BlockAttestation = SignedDocument<BlockAttestationPayload>;

/** A pinned attester: algorithm plus uncompressed SEC1 public key (hex). */
export interface Attester {
  algorithm: KeyAlgorithm;
  publicKey: string;
}

export interface AttestationPolicy {
  attesters: Attester[];
  /** How many distinct pinned attesters must have signed: 1 ≤ threshold ≤ attesters.length. */
  threshold: number;
}

export type AttestationCheck = { ok: true; keyIds: string[] } | { ok: false; reason: string };

/**
 * The payload for a block, refusing what no honest attester would sign: unknown-shaped
 * names, a negative or fractional height, an empty, short or all-zero hash.
 */
export function blockAttestationPayload(block: AttestedBlock): BlockAttestationPayload {
  if (typeof block !== 'object' || block === null) throw new InvalidInputError('block must be an object', { field: '/block' });
  const { framework, chain, number, hash } = block;
  if (typeof framework !== 'string' || !NAME.test(framework)) {
    throw new InvalidInputError('/block/framework: must be a lowercase framework name', { field: '/block/framework' });
  }
  if (typeof chain !== 'string' || !NAME.test(chain)) {
    throw new InvalidInputError('/block/chain: must be a chain name (lowercase, 1–64 chars)', { field: '/block/chain' });
  }
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 0) {
    throw new InvalidInputError('/block/number: must be a non-negative integer', { field: '/block/number' });
  }
  const bytes = fromHex(hash, '/block/hash');
  if (bytes.length < MIN_HASH_BYTES || bytes.length > MAX_HASH_BYTES) {
    throw new InvalidInputError(`/block/hash: must be ${MIN_HASH_BYTES}–${MAX_HASH_BYTES} bytes`, { field: '/block/hash' });
  }
  if (bytes.every((b) => b === 0)) throw new InvalidInputError('/block/hash: the zero hash names no block', { field: '/block/hash' });
  return { v: 1, framework, chain, number, hash: toHex(bytes) };
}

/** Signs that `block` is final, as a city node that checked it on its own connection to the chain. */
export function attestBlock(block: AttestedBlock, key: { algorithm: KeyAlgorithm; privateKey: Uint8Array }): BlockAttestation {
  return signDocument(blockAttestationPayload(block), BLOCK_ATTESTATION_DOMAIN, key);
}

/** Where an attestation policy is unsound: a JSON pointer into `{ attesters, threshold }`, and why. */
export interface AttesterPolicyFault {
  field: string;
  reason: string;
}

export type PinnedAttesters = { ok: true; pinned: Map<string, Attester>; threshold: number } | ({ ok: false } & AttesterPolicyFault);

function hexBytes(value: unknown): Uint8Array | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return fromHex(value);
  } catch {
    return undefined;
  }
}

const fault = (field: string, reason: string): { ok: false } & AttesterPolicyFault => ({ ok: false, field, reason });

/**
 * Checks an attestation policy before anything is counted against it, failing closed and never
 * throwing: at least one attester; each a known algorithm with a valid public key; none listed
 * twice, however its key is spelt; an integer threshold from 1 to the number of attesters.
 * Returns the pinned keys (hex normalised) by key id.
 */
export function pinAttesters(attesters: unknown, threshold: unknown): PinnedAttesters {
  if (!Array.isArray(attesters) || attesters.length === 0)
    return fault('/attesters', 'no attesters are pinned (the attester list is empty)');
  const pinned = new Map<string, Attester>();
  for (const [i, a] of attesters.entries()) {
    const at = `/attesters/${i}`;
    if (typeof a !== 'object' || a === null) return fault(at, `pinned attester ${i} is not a valid attester { algorithm, publicKey }`);
    const { algorithm, publicKey } = a as { algorithm?: unknown; publicKey?: unknown };
    if (!isKeyAlgorithm(algorithm)) {
      return fault(
        `${at}/algorithm`,
        `pinned attester ${i} is not a valid key: unknown algorithm ${JSON.stringify(algorithm)} (${KEY_ALGORITHMS.join(', ')})`,
      );
    }
    const bytes = hexBytes(publicKey);
    if (!bytes || !isValidPublicKey(algorithm, bytes))
      return fault(`${at}/publicKey`, `pinned attester ${i} is not a valid ${algorithm} public key`);
    const id = keyIdOf(algorithm, bytes);
    if (pinned.has(id)) return fault(at, `pinned attester ${i} is listed twice`);
    pinned.set(id, { algorithm, publicKey: toHex(bytes) });
  }
  if (typeof threshold !== 'number' || !Number.isSafeInteger(threshold) || threshold < 1) {
    return fault('/threshold', `threshold ${String(threshold)} is not an integer ≥ 1`);
  }
  if (threshold > pinned.size) return fault('/threshold', `threshold ${threshold} exceeds the ${pinned.size} pinned attesters`);
  return { ok: true, pinned, threshold };
}

/**
 * Whether at least `threshold` distinct pinned attesters signed `block`. Fails closed and
 * never throws: the policy itself must be sound (`pinAttesters`); every attestation given must verify
 * against a pinned key over the bytes rebuilt here from `block` (not from the document's
 * own payload); an attester that signed twice counts once.
 */
export function verifyAttestations(block: AttestedBlock, attestations: unknown, policy: AttestationPolicy): AttestationCheck {
  try {
    return check(block, attestations, policy);
  } catch (err) {
    return { ok: false, reason: `attestations could not be checked: ${(err as Error).message}` };
  }
}

function check(block: AttestedBlock, attestations: unknown, policy: AttestationPolicy): AttestationCheck {
  if (typeof policy !== 'object' || policy === null) return { ok: false, reason: 'no attestation policy' };
  const policyCheck = pinAttesters(policy.attesters, policy.threshold);
  if (!policyCheck.ok) return { ok: false, reason: policyCheck.reason };
  const { pinned, threshold } = policyCheck;

  let payload: BlockAttestationPayload;
  try {
    payload = blockAttestationPayload(block);
  } catch (err) {
    return { ok: false, reason: `the block cannot be attested: ${(err as Error).message}` };
  }
  if (!Array.isArray(attestations)) return { ok: false, reason: 'attestations must be a list' };
  if (attestations.length === 0) return { ok: false, reason: 'no attestations' };
  if (attestations.length > MAX_ATTESTATIONS) return { ok: false, reason: `more than ${MAX_ATTESTATIONS} attestations` };

  const trusted = [...pinned.values()];
  const signers = new Set<string>();
  for (const [i, att] of attestations.entries()) {
    const signature = typeof att === 'object' && att !== null ? (att as { signature?: unknown }).signature : undefined;
    // The document's payload is ignored: the signature must hold over the block as given here.
    const rebuilt = { payload, signature } as BlockAttestation;
    const res = verifyDocument(rebuilt, BLOCK_ATTESTATION_DOMAIN, trusted);
    if (!res.ok) {
      const claims = typeof att === 'object' && att !== null ? (att as { payload?: unknown }).payload : undefined;
      const other = claims !== undefined && !samePayload(claims, payload) ? ' (it attests another block)' : '';
      return { ok: false, reason: `attestation ${i}: ${res.reason}${other}` };
    }
    signers.add(res.keyId);
  }
  if (signers.size < threshold) {
    const dup = signers.size < attestations.length ? ` (${attestations.length - signers.size} duplicate)` : '';
    return { ok: false, reason: `${signers.size} distinct pinned attester(s) signed${dup}, threshold is ${threshold}` };
  }
  return { ok: true, keyIds: [...signers].sort() };
}

function samePayload(claims: unknown, payload: BlockAttestationPayload): boolean {
  if (typeof claims !== 'object' || claims === null) return false;
  const c = claims as Record<string, unknown>;
  return (
    c.v === payload.v &&
    c.framework === payload.framework &&
    c.chain === payload.chain &&
    c.number === payload.number &&
    typeof c.hash === 'string' &&
    c.hash.toLowerCase().replace(/^0x/, '') === payload.hash
  );
}
