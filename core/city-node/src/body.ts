/**
 * Readers of request fields, shared by every operation so a field is refused the same way
 * everywhere: INVALID_INPUT, reason `invalid-field`, `field` a JSON pointer into the body.
 */
import { sha256Hex } from '@bsn/protocol';
import type { Checkpoint, KeyAlgorithm } from '@bsn/contract';
import { checkRequestId, fromBase64, fromHex, isValidPublicKey } from '@bsn/contract';
import { invalid } from './errors.js';

export type Body = Record<string, unknown>;

export function str(body: Body, name: string, opts: { required?: boolean; re?: RegExp; what?: string } = {}): string | undefined {
  const v = body[name];
  if (v === undefined || v === null) {
    if (opts.required) throw invalid('invalid-field', `/${name} is required`, `/${name}`);
    return undefined;
  }
  if (typeof v !== 'string') throw invalid('invalid-field', `/${name} must be a string`, `/${name}`);
  if (opts.re && !opts.re.test(v)) throw invalid('invalid-field', `/${name} ${opts.what ?? `must match ${opts.re.source}`}`, `/${name}`);
  return v;
}

/** `algorithm` and `publicKey`: a 65-byte uncompressed point on that curve, as lower-case hex without 0x. */
export function publicKeyField(body: Body): { algorithm: KeyAlgorithm; publicKey: string } {
  const algorithm = str(body, 'algorithm', {
    required: true,
    re: /^(secp256k1|secp256r1|sm2)$/,
    what: 'must be secp256k1, secp256r1 or sm2',
  }) as KeyAlgorithm;
  const publicKey = str(body, 'publicKey', {
    required: true,
    re: /^(0x)?04[0-9a-fA-F]{128}$/,
    what: 'must be a 65-byte uncompressed public key in hex',
  })!
    .replace(/^0x/, '')
    .toLowerCase();
  if (!isValidPublicKey(algorithm, fromHex(publicKey)))
    throw invalid('invalid-field', `/publicKey is not a point on ${algorithm}`, '/publicKey');
  return { algorithm, publicKey };
}

/** Contract arguments: strings, or `{ base64 }` for bytes. */
export function argBytes(args: unknown, field = '/args'): Array<string | Uint8Array> {
  if (!Array.isArray(args)) throw invalid('invalid-field', `${field} must be an array of strings or { base64 } objects`, field);
  return args.map((a, i) => {
    if (typeof a === 'string') return a;
    if (typeof a === 'object' && a !== null && typeof (a as { base64?: unknown }).base64 === 'string') {
      try {
        return fromBase64((a as { base64: string }).base64, `${field}/${i}/base64`);
      } catch {
        throw invalid('invalid-field', `${field}/${i}/base64 is not base64`, `${field}/${i}/base64`);
      }
    }
    throw invalid('invalid-field', `${field}/${i} must be a string or { base64 }`, `${field}/${i}`);
  });
}

/**
 * The request id a write is idempotent under: the caller's, or one derived from the nonce
 * (so a write without an id still runs once). Checked by the contract's id rule, the one the
 * adapters apply, so a bad id is refused before anything is written.
 */
export function requestIdField(requestId: string | undefined, nonce: string): string {
  // Absent: derived from the nonce (hashed, so a 128-character nonce still gives a valid id). Present but empty: refused.
  const id = requestId ?? `n-${sha256Hex(nonce).slice(0, 40)}`;
  try {
    return checkRequestId(id);
  } catch {
    throw invalid('invalid-field', 'the request id must be 1-128 of A-Z a-z 0-9 . _ : -', '/requestId');
  }
}

/** A checkpoint `<block>:<index>` from a query parameter or header; empty means "from the start". */
export function parseCheckpoint(value: string | undefined, field: string): Checkpoint | undefined {
  if (value === undefined || value === '') return undefined;
  const m = /^(\d{1,15}):(\d{1,9})$/.exec(value);
  if (!m)
    throw invalid('invalid-field', `${field} must be a checkpoint "<block>:<index>" (got ${JSON.stringify(value.slice(0, 40))})`, field);
  return { block: Number(m[1]), index: Number(m[2]) };
}
