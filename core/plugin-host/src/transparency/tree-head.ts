/**
 * Signed tree heads (STH): the log's signed statement "my first `size` leaves have Merkle
 * head `rootHash`". City nodes pin the log's public key (`log.pub.json`) and accept heads
 * signed by it alone.
 */
import { readFile } from 'node:fs/promises';
import {
  InvalidInputError,
  KEY_ALGORITHMS,
  fromHex,
  isValidPublicKey,
  keyIdOf,
  signDocument,
  toHex,
  verifyDocument,
  type DocumentSigningKey,
  type KeyAlgorithm,
  type SignedDocument,
} from '@bsn/contract';

/**
 * The signing domain of tree heads. Signed bytes start `bsn:log-sth:v1\n` (domains may not
 * contain ':'; signDocument adds the `bsn:` prefix and `:v1` itself).
 */
export const STH_DOMAIN = 'log-sth';

export interface TreeHeadPayload {
  v: 1;
  /** The log's name, as in its config. */
  log: string;
  size: number;
  /** MTH of the first `size` leaves, lowercase hex. */
  rootHash: string;
  /** Milliseconds since the epoch; never decreases within one log. */
  timestamp: number;
}

export type SignedTreeHead = SignedDocument<TreeHeadPayload>;

/** A log's public identity, as `bsn log new` writes it to `log.pub.json`: what nodes pin. */
export interface LogPublicKey {
  name: string;
  algorithm: KeyAlgorithm;
  /** Hex, uncompressed SEC1 point. */
  publicKey: string;
  keyId: string;
}

export function signTreeHead(payload: TreeHeadPayload, key: DocumentSigningKey): SignedTreeHead {
  return signDocument(payload, STH_DOMAIN, key);
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Shape of a payload; the reason it is not one, or undefined. */
function payloadProblem(p: unknown): string | undefined {
  if (typeof p !== 'object' || p === null || Array.isArray(p)) return 'the tree head has no payload object';
  const keys = Object.keys(p).sort().join(',');
  if (keys !== 'log,rootHash,size,timestamp,v') return `the tree head has fields ${keys}, not v, log, size, rootHash, timestamp`;
  const h = p as Record<string, unknown>;
  if (h['v'] !== 1) return 'the tree head version is not 1';
  if (typeof h['log'] !== 'string' || !h['log']) return 'the tree head names no log';
  if (typeof h['size'] !== 'number' || !Number.isSafeInteger(h['size']) || h['size'] < 0) return 'the tree head size is not a whole number';
  if (typeof h['rootHash'] !== 'string' || !HEX64.test(h['rootHash'])) return 'the tree head rootHash is not 64 lowercase hex digits';
  if (typeof h['timestamp'] !== 'number' || !Number.isSafeInteger(h['timestamp']) || h['timestamp'] < 0)
    return 'the tree head timestamp is not a whole number of milliseconds';
  return undefined;
}

export type TreeHeadVerification = { ok: true; head: TreeHeadPayload } | { ok: false; reason: string };

/**
 * Whether `sth` is a well-formed tree head of `log`, signed by its pinned key. Never throws.
 */
export function verifyTreeHead(sth: unknown, log: LogPublicKey): TreeHeadVerification {
  if (typeof sth !== 'object' || sth === null) return { ok: false, reason: 'the tree head is not an object' };
  const payload = (sth as { payload?: unknown }).payload;
  const problem = payloadProblem(payload);
  if (problem) return { ok: false, reason: problem };
  let verified;
  try {
    verified = verifyDocument(sth as SignedTreeHead, STH_DOMAIN, [log]);
  } catch (err) {
    return { ok: false, reason: `the tree head cannot be verified: ${(err as Error).message}` };
  }
  if (!verified.ok) return { ok: false, reason: `the tree head signature is not the log's: ${verified.reason}` };
  const head = payload as TreeHeadPayload;
  if (head.log !== log.name) return { ok: false, reason: `the tree head is for log "${head.log}", not "${log.name}"` };
  return { ok: true, head };
}

/** The public identity of a signing key. */
export function logPublicKeyOf(name: string, algorithm: KeyAlgorithm, publicKey: Uint8Array): LogPublicKey {
  return { name, algorithm, publicKey: toHex(publicKey), keyId: keyIdOf(algorithm, publicKey) };
}

/** Parses a `log.pub.json`: `{ name, algorithm, publicKey, keyId? }`; throws InvalidInputError. */
export function parseLogPublicKey(json: unknown, source = 'log public key'): LogPublicKey {
  const fail = (why: string) => new InvalidInputError(`${source}: ${why}`, { field: '/' });
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw fail('must be an object { name, algorithm, publicKey }');
  const v = json as Record<string, unknown>;
  if (typeof v['name'] !== 'string' || !v['name']) throw fail('/name must be a non-empty string');
  const algorithm = v['algorithm'];
  if (typeof algorithm !== 'string' || !(KEY_ALGORITHMS as readonly string[]).includes(algorithm))
    throw fail(`/algorithm must be one of ${KEY_ALGORITHMS.join(', ')}`);
  let bytes: Uint8Array | undefined;
  try {
    bytes = typeof v['publicKey'] === 'string' ? fromHex(v['publicKey']) : undefined;
  } catch {
    bytes = undefined;
  }
  if (!bytes || !isValidPublicKey(algorithm as KeyAlgorithm, bytes)) throw fail(`/publicKey must be a ${algorithm} public key in hex`);
  const key = logPublicKeyOf(v['name'], algorithm as KeyAlgorithm, bytes);
  if (v['keyId'] !== undefined && v['keyId'] !== key.keyId) throw fail(`/keyId does not match the public key (${key.keyId})`);
  return key;
}

export async function readLogPublicKey(path: string): Promise<LogPublicKey> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new InvalidInputError(`cannot read the log public key ${path}: ${(err as Error).message}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InvalidInputError(`the log public key ${path} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  return parseLogPublicKey(json, path);
}
