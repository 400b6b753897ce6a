/**
 * What is signed, BSN style. A request carries the user code, the app code (empty for calls
 * outside an app), a timestamp (ms since epoch) and a nonce, and the user's signature over
 *
 *   BSN-REQUEST-V1\n<METHOD>\n<path>\n<query>\n<sha256(body) hex>\n<user>\n<app>\n<timestamp>\n<nonce>
 *
 * with `path` exactly as sent (still percent-encoded), `query` the raw `a=b` pairs sorted
 * and joined by `&`. For gRPC, METHOD is `GRPC`, path the full method name
 * (`/bsn.gateway.v1.Gateway/KvPut`), query empty and body the serialized request message.
 *
 * Every answer (errors and unauthenticated requests included) carries the node's signature over
 *
 *   BSN-RESPONSE-V2\n<status>\n<sha256(body) hex>\n<request digest>
 *
 * where the request digest is SHA-256 of the request's canonical form above followed by `\n`
 * and its signature as sent, built from what the node received (a header that is absent
 * counts as empty). A client computes the digest of the request it sent and accepts only an
 * answer signed for exactly that request: one a party on the path obtained for another
 * request (another route, a swapped body, the same request with a flipped signature) does
 * not verify. Each event of a stream is signed likewise,
 * bound to the subscription request. (V1 bound answers to the nonce alone.)
 * Signatures use core's algorithms (secp256k1, secp256r1: ECDSA over SHA-256; sm2: SM2 over
 * SM3(Z‖M)), r‖s hex.
 */
import { createHash } from 'node:crypto';
import { utf8 } from '@bsn/contract';

export const HEADERS = {
  user: 'x-bsn-user',
  app: 'x-bsn-app',
  timestamp: 'x-bsn-timestamp',
  nonce: 'x-bsn-nonce',
  signature: 'x-bsn-signature',
  requestId: 'x-bsn-request-id',
  nodeSignature: 'x-bsn-node-signature',
  nodeKey: 'x-bsn-node-key',
  /** The digest of the request an answer is for, as the node computed it (informational: clients compare their own). */
  requestDigest: 'x-bsn-request-digest',
} as const;

export const NONCE_RE = /^[A-Za-z0-9_-]{16,128}$/;
export const CODE_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256')
    .update(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes)
    .digest('hex');
}

export function canonicalQuery(query: string): string {
  const q = query.startsWith('?') ? query.slice(1) : query;
  if (!q) return '';
  return q
    .split('&')
    .filter((p) => p.length > 0)
    .sort()
    .join('&');
}

export interface RequestToSign {
  method: string;
  path: string;
  query: string;
  body: Uint8Array;
  user: string;
  app: string;
  timestamp: string;
  nonce: string;
}

export function canonicalRequest(r: RequestToSign): Uint8Array {
  return utf8(
    [
      'BSN-REQUEST-V1',
      r.method.toUpperCase(),
      r.path,
      canonicalQuery(r.query),
      sha256Hex(r.body),
      r.user,
      r.app,
      r.timestamp,
      r.nonce,
    ].join('\n'),
  );
}

/** What an answer is bound to: SHA-256 (hex) of the request's canonical form and its signature as sent. */
export function requestDigest(r: RequestToSign, signature: string): string {
  return digestOfSigned(canonicalRequest(r), signature);
}

/** The same, from canonical bytes already built. */
export function digestOfSigned(canonical: Uint8Array, signature: string): string {
  return createHash('sha256').update(canonical).update('\n').update(signature, 'utf8').digest('hex');
}

export function canonicalResponse(status: number, body: Uint8Array, requestDigest: string): Uint8Array {
  return utf8(['BSN-RESPONSE-V2', String(status), sha256Hex(body), requestDigest].join('\n'));
}

/** The digest an answer to bytes that never became a request (the HTTP parser refused them) is signed for. */
export const EMPTY_REQUEST_DIGEST = requestDigest(
  { method: '', path: '', query: '', body: new Uint8Array(0), user: '', app: '', timestamp: '', nonce: '' },
  '',
);

/** One streamed event, signed on its own (the stream's body is never complete) for the subscription request. */
export function canonicalEvent(id: string, data: string, requestDigest: string): Uint8Array {
  return utf8(['BSN-EVENT-V2', id, sha256Hex(data), requestDigest].join('\n'));
}

/** Splits `/a/b?x=1` into path and query. */
export function splitUrl(url: string): { path: string; query: string } {
  const i = url.indexOf('?');
  return i < 0 ? { path: url, query: '' } : { path: url.slice(0, i), query: url.slice(i + 1) };
}
