/**
 * The bytes a BSN request is signed over and the node's answer is signed over, built in the
 * browser with WebCrypto (docs/city-node.md, "Signing a request"). The same format as
 * @bsn/protocol's canonical.ts, which cannot run here (it hashes with node:crypto); a test
 * checks the two agree byte for byte.
 */
import { toHex, utf8 } from './hex.js';

export const HEADERS = {
  user: 'x-bsn-user',
  app: 'x-bsn-app',
  timestamp: 'x-bsn-timestamp',
  nonce: 'x-bsn-nonce',
  signature: 'x-bsn-signature',
  nodeSignature: 'x-bsn-node-signature',
} as const;

export async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

export const sha256Hex = async (bytes: Uint8Array): Promise<string> => toHex(await sha256(bytes));

/** The raw `a=b` pairs, sorted as strings and joined by `&`. */
export function canonicalQuery(query: string): string {
  const q = query.startsWith('?') ? query.slice(1) : query;
  return q
    .split('&')
    .filter((p) => p.length > 0)
    .sort()
    .join('&');
}

export interface RequestToSign {
  method: string;
  /** As sent, still percent-encoded. */
  path: string;
  query: string;
  body: Uint8Array;
  user: string;
  app: string;
  timestamp: string;
  nonce: string;
}

export async function canonicalRequest(r: RequestToSign): Promise<Uint8Array> {
  const lines = [
    'BSN-REQUEST-V1',
    r.method.toUpperCase(),
    r.path,
    canonicalQuery(r.query),
    await sha256Hex(r.body),
    r.user,
    r.app,
    r.timestamp,
    r.nonce,
  ];
  return utf8(lines.join('\n'));
}

/** What the node's answer is bound to: SHA-256 of the canonical request, `\n` and the signature as sent. */
export async function requestDigest(canonical: Uint8Array, signature: string): Promise<string> {
  const tail = utf8(`\n${signature}`);
  const all = new Uint8Array(canonical.length + tail.length);
  all.set(canonical);
  all.set(tail, canonical.length);
  return sha256Hex(all);
}

export async function canonicalResponse(status: number, body: Uint8Array, digest: string): Promise<Uint8Array> {
  return utf8(['BSN-RESPONSE-V2', String(status), await sha256Hex(body), digest].join('\n'));
}
