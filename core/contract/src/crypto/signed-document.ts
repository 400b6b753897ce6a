import type { KeyAlgorithm } from '../contract/keys.js';
import { InvalidInputError } from '../errors/errors.js';
import { canonicalJson } from '../encoding/canonical-json.js';
import { concatBytes, fromHex, toHex, utf8 } from '../encoding/bytes.js';
import { isValidPublicKey, publicKeyOf, signMessage, verifyMessage } from './algorithms.js';
import { keyIdOf } from './key-id.js';
import { isKeyAlgorithm } from './scalars.js';

export { keyIdOf };

/**
 * A JSON payload with one signature over its canonical form, used for key bindings, plugin
 * certificates and anything else that must be checked by a party that did not produce it.
 */
export interface DocumentSignature {
  algorithm: KeyAlgorithm;
  keyId: string;
  /** Uncompressed SEC1 public key, hex. */
  publicKey: string;
  /** r‖s, hex. */
  value: string;
}

export interface SignedDocument<T> {
  payload: T;
  signature: DocumentSignature;
}

export interface DocumentSigningKey {
  algorithm: KeyAlgorithm;
  privateKey: Uint8Array;
  /** Optional; if given it must equal keyIdOf(algorithm, publicKey), since verifiers recompute it. */
  keyId?: string;
}

export interface TrustedKey {
  algorithm: KeyAlgorithm;
  /** Hex, either case, optional 0x. */
  publicKey: string;
}

export type DocumentVerification = { ok: true; keyId: string } | { ok: false; reason: string };

/** Lowercase words, digits, dots and dashes: no ':' or newline, so the prefix cannot be forged by a domain. */
const DOMAIN_RE = /^[a-z0-9][a-z0-9.-]{0,63}$/;

function assertDomain(domain: unknown): asserts domain is string {
  if (typeof domain !== 'string' || !DOMAIN_RE.test(domain)) {
    throw new InvalidInputError('domain must be 1-64 of a-z 0-9 . - starting with a letter or digit', { field: 'domain' });
  }
}

/**
 * The exact bytes signed: `bsn:<domain>:v1\n` ‖ RFC 8785 JSON. The domain prefix makes a
 * signature for one purpose (say a key binding) useless for another (a plugin certificate)
 * even when the payloads happen to coincide.
 */
export function documentSigningBytes(payload: unknown, domain: string): Uint8Array {
  assertDomain(domain);
  return concatBytes(utf8(`bsn:${domain}:v1\n`), utf8(canonicalJson(payload)));
}

export function signDocument<T>(payload: T, domain: string, key: DocumentSigningKey): SignedDocument<T> {
  const bytes = documentSigningBytes(payload, domain);
  const publicKey = publicKeyOf(key.algorithm, key.privateKey);
  const keyId = keyIdOf(key.algorithm, publicKey);
  if (key.keyId !== undefined && key.keyId !== keyId) {
    throw new InvalidInputError(`keyId ${key.keyId} does not match the signing key (${keyId})`, { field: 'keyId' });
  }
  return {
    payload,
    signature: {
      algorithm: key.algorithm,
      keyId,
      publicKey: toHex(publicKey),
      value: toHex(signMessage(key.algorithm, key.privateKey, bytes)),
    },
  };
}

function hexOrNull(value: unknown): Uint8Array | null {
  if (typeof value !== 'string') return null;
  try {
    return fromHex(value);
  } catch {
    return null;
  }
}

/**
 * Fails closed: every check must pass, and the signed bytes are rebuilt here from the
 * payload rather than taken from the document. When `trusted` is given (even empty), the
 * signing key must be in it; without it, the caller is only learning *who* signed.
 */
export function verifyDocument<T>(doc: SignedDocument<T>, domain: string, trusted?: TrustedKey[]): DocumentVerification {
  assertDomain(domain);
  if (typeof doc !== 'object' || doc === null || !('payload' in doc)) return { ok: false, reason: 'the document has no payload' };
  const sig = (doc as { signature?: unknown }).signature as Partial<DocumentSignature> | undefined;
  if (typeof sig !== 'object' || sig === null) return { ok: false, reason: 'the document is not signed' };
  if (!isKeyAlgorithm(sig.algorithm)) return { ok: false, reason: `unknown signature algorithm ${String(sig.algorithm)}` };
  const publicKey = hexOrNull(sig.publicKey);
  if (!publicKey || !isValidPublicKey(sig.algorithm, publicKey)) {
    return { ok: false, reason: `the signing public key is not a valid ${sig.algorithm} key` };
  }
  const keyId = keyIdOf(sig.algorithm, publicKey);
  if (sig.keyId !== keyId) return { ok: false, reason: `key id ${String(sig.keyId)} does not match the signing public key` };
  if (trusted !== undefined) {
    const mine = toHex(publicKey);
    const isTrusted = trusted.some(
      (t) => t.algorithm === sig.algorithm && hexOrNull(t.publicKey) !== null && toHex(hexOrNull(t.publicKey)!) === mine,
    );
    if (!isTrusted) return { ok: false, reason: `signed by an untrusted key ${keyId}` };
  }
  const value = hexOrNull(sig.value);
  if (!value || value.length !== 64) return { ok: false, reason: 'the signature value is not 64 bytes of hex' };
  let bytes: Uint8Array;
  try {
    bytes = documentSigningBytes(doc.payload, domain);
  } catch (err) {
    return { ok: false, reason: `the payload is not canonical JSON: ${(err as Error).message}` };
  }
  if (!verifyMessage(sig.algorithm, publicKey, bytes, value)) {
    return { ok: false, reason: `the signature by ${keyId} does not match this payload for domain ${domain}` };
  }
  return { ok: true, keyId };
}
