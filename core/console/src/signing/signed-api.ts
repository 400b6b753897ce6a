/**
 * The node's `/v1` API called from a page, the way every BSN client calls it: each request
 * signed by the user's key (here a WebCrypto P-256 key), each answer accepted only with the
 * node's signature for exactly that request (the node key pinned from `GET /v1/node`). The
 * pages have no other way in: what a page can do is what its user's key can do.
 */
import { HEADERS, canonicalRequest, canonicalResponse, requestDigest } from './canonical.js';
import { base64url, utf8, type SigningKey } from './hex.js';
import { signP256, verifyP256 } from './p256.js';

export interface Identity {
  user: string;
  privateKey: SigningKey;
  publicKey: string;
}

/** A refused call, as the node said it (or `bad-node-signature` when the answer was not the node's). */
export class ApiRefusal extends Error {
  override readonly name = 'ApiRefusal';
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly reason: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export interface CallOptions {
  /** JSON (sent as application/json), or raw bytes / text (application/octet-stream). */
  body?: unknown;
  /** The app the request is about: must be the path's app. */
  app?: string;
}

type Fetch = (url: string, init: { method: string; headers: Record<string, string>; body?: Uint8Array<ArrayBuffer> }) => Promise<Response>;

export class SignedApi {
  private nodeKey: Promise<string> | undefined;

  constructor(
    readonly baseUrl: string,
    readonly identity: Identity,
    private readonly fetchImpl: Fetch = (url, init) => fetch(url, init),
  ) {}

  /** The node's public key, from `GET /v1/node` once; answers are checked against it. */
  pinnedKey(): Promise<string> {
    this.nodeKey ??= (async () => {
      const res = await this.fetchImpl(`${this.baseUrl}/v1/node`, { method: 'GET', headers: {} });
      const info = (await res.json()) as { key?: { algorithm?: string; publicKey?: string } };
      if (info.key?.algorithm !== 'secp256r1' || !info.key.publicKey)
        throw new ApiRefusal(
          `the node key is ${info.key?.algorithm ?? 'missing'}: this page checks secp256r1 answers only`,
          0,
          'UNAVAILABLE',
          'node-info',
        );
      return info.key.publicKey;
    })();
    this.nodeKey.catch(() => (this.nodeKey = undefined));
    return this.nodeKey;
  }

  async call<T = Record<string, unknown>>(method: string, pathAndQuery: string, options: CallOptions = {}): Promise<T> {
    const key = await this.pinnedKey();
    const i = pathAndQuery.indexOf('?');
    const [path, query] = i < 0 ? [pathAndQuery, ''] : [pathAndQuery.slice(0, i), pathAndQuery.slice(i + 1)];
    const { bytes, type } = encodeBody(options.body);
    const timestamp = String(Date.now());
    const nonce = base64url(crypto.getRandomValues(new Uint8Array(18)));
    const app = options.app ?? '';
    const canonical = await canonicalRequest({ method, path, query, body: bytes, user: this.identity.user, app, timestamp, nonce });
    const signature = await signP256(this.identity.privateKey, canonical);
    const headers: Record<string, string> = {
      [HEADERS.user]: this.identity.user,
      [HEADERS.app]: app,
      [HEADERS.timestamp]: timestamp,
      [HEADERS.nonce]: nonce,
      [HEADERS.signature]: signature,
      ...(type && { 'content-type': type }),
    };
    const res = await this.fetchImpl(`${this.baseUrl}${pathAndQuery}`, {
      method,
      headers,
      ...(bytes.length > 0 && { body: bytes as Uint8Array<ArrayBuffer> }),
    });
    const answer = new Uint8Array(await res.arrayBuffer());
    const digest = await requestDigest(canonical, signature);
    const nodeSignature = res.headers.get(HEADERS.nodeSignature) ?? '';
    if (!(await verifyP256(key, await canonicalResponse(res.status, answer, digest), nodeSignature)))
      throw new ApiRefusal(
        `the answer to ${method} ${path} is not signed by the node for this request`,
        res.status,
        'UNAVAILABLE',
        'bad-node-signature',
      );
    const json = answer.length ? (JSON.parse(new TextDecoder().decode(answer)) as unknown) : {};
    if (res.status >= 400) {
      const e = (json as { error?: { code?: string; reason?: string; message?: string; field?: string } }).error ?? {};
      throw new ApiRefusal(e.message ?? `HTTP ${res.status}`, res.status, e.code ?? 'INTERNAL', e.reason ?? 'internal', e.field);
    }
    return json as T;
  }
}

function encodeBody(body: unknown): { bytes: Uint8Array; type?: string } {
  if (body === undefined) return { bytes: new Uint8Array(0) };
  if (body instanceof Uint8Array) return { bytes: body, type: 'application/octet-stream' };
  if (typeof body === 'string') return { bytes: utf8(body), type: 'application/octet-stream' };
  return { bytes: utf8(JSON.stringify(body)), type: 'application/json' };
}
