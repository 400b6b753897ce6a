/**
 * A small REST client for the city node: signs every request as one user, verifies the
 * node's signature on every response against the pinned node key (fetched once from
 * `/v1/node` when not given), and turns error bodies into typed errors.
 */
import type { KeyAlgorithm } from '@bsn/contract';
import { fromBase64, utf8 } from '@bsn/contract';
import {
  HEADERS,
  digestOfSigned,
  splitUrl,
  verifyEvent,
  verifyResponse,
  type NodePublicKey,
  type PreparedJson,
  type PortalJson,
  type PortalPolicyJson,
  type UserJson,
  eventSigningData,
} from '@bsn/protocol';
import { NodeResponseError } from './errors.js';
import { HttpTransport } from './http-transport.js';
import { RequestSigner } from './request-signer.js';

export interface ClientOptions {
  /** e.g. `http://127.0.0.1:8080` */
  baseUrl: string;
  user: string;
  algorithm: KeyAlgorithm;
  privateKey: Uint8Array;
  /** The node key to trust; default: fetched from `/v1/node` on first use (trust on first use). */
  nodeKey?: NodePublicKey;
  /** Don't check response signatures (benchmarks of the raw path). */
  skipVerify?: boolean;
}

export interface NewUser {
  code: string;
  algorithm: KeyAlgorithm;
  publicKey: string;
  keyMode?: 'hosted' | 'user';
  role?: UserJson['role'];
}

export interface RawResponse {
  status: number;
  body: Buffer;
  headers: Headers;
  nonce: string;
  /** Whether the node's signature verified. */
  verified: boolean;
}

export interface EventMessage {
  id: string;
  name: string;
  app: string;
  payload: Uint8Array;
  payloadText?: string;
  txId: string;
  checkpoint: { block: number; index: number };
  verified: boolean;
}

export class BsnClient {
  readonly signer: RequestSigner;
  private nodeKey?: NodePublicKey;
  private readonly http: HttpTransport;

  constructor(private readonly o: ClientOptions) {
    this.signer = new RequestSigner(o.user, o.algorithm, o.privateKey);
    this.http = new HttpTransport(new URL(o.baseUrl));
    if (o.nodeKey) this.nodeKey = o.nodeKey;
  }

  /** Closes the client's idle connections (they never keep the process alive). */
  close(): void {
    this.http.close();
  }

  async node(): Promise<Record<string, unknown> & { key: NodePublicKey }> {
    const res = await this.http.request('GET', '/v1/node', {});
    if (res.status !== 200)
      throw new NodeResponseError(
        { code: 'UNAVAILABLE', reason: 'node-info', message: `GET /v1/node answered HTTP ${res.status}` },
        { status: res.status },
        false,
      );
    const info = JSON.parse(res.body.toString('utf8')) as Record<string, unknown> & { key: NodePublicKey };
    this.nodeKey ??= info.key;
    return info;
  }

  private async key(): Promise<NodePublicKey> {
    if (!this.nodeKey) await this.node();
    return this.nodeKey!;
  }

  /** Sends one signed request; never throws for an HTTP error status. */
  async raw(
    method: string,
    pathAndQuery: string,
    options: {
      app?: string;
      body?: Uint8Array | string | object;
      headers?: Record<string, string>;
      nonce?: string;
      timestamp?: number;
    } = {},
  ): Promise<RawResponse> {
    const key = this.o.skipVerify ? undefined : await this.key();
    let body: Uint8Array | undefined;
    let contentType: string | undefined;
    if (typeof options.body === 'string') {
      body = utf8(options.body);
      contentType = 'application/octet-stream';
    } else if (options.body instanceof Uint8Array) {
      body = options.body;
      contentType = 'application/octet-stream';
    } else if (options.body !== undefined) {
      body = utf8(JSON.stringify(options.body));
      contentType = 'application/json';
    }
    const { path, query } = splitUrl(pathAndQuery);
    const {
      headers: signed,
      digest: ownDigest,
      canonical,
    } = this.signer.signRequest({
      method,
      path,
      query,
      ...(body && { body }),
      ...(options.app !== undefined && { app: options.app }),
      ...(options.nonce && { nonce: options.nonce }),
      ...(options.timestamp !== undefined && { timestamp: options.timestamp }),
    });
    const sent = { ...signed, ...(contentType && { 'content-type': contentType }), ...options.headers };
    // A caller's own signature header (a test forging one): the node answers for the request as sent.
    const digest =
      sent[HEADERS.signature] === signed[HEADERS.signature] ? ownDigest : digestOfSigned(canonical, sent[HEADERS.signature] ?? '');
    const res = await this.http.request(method, pathAndQuery, sent, body);
    const bytes = res.body;
    const verified = key ? verifyResponse(key, res.status, bytes, digest, res.headers.get(HEADERS.nodeSignature) ?? undefined) : false;
    return { status: res.status, body: bytes, headers: res.headers, nonce: signed[HEADERS.nonce], verified };
  }

  /** Sends and returns the parsed JSON; throws NodeResponseError for ≥ 400 and for an unverified response. */
  async call<T = Record<string, unknown>>(method: string, path: string, options: Parameters<BsnClient['raw']>[2] = {}): Promise<T> {
    const r = await this.raw(method, path, options);
    if (!this.o.skipVerify && !r.verified) throw NodeResponseError.unsigned(`the response to ${method} ${path}`, { status: r.status });
    const json = r.body.length ? (JSON.parse(r.body.toString('utf8')) as unknown) : {};
    if (r.status >= 400) throw NodeResponseError.fromBody(json, { status: r.status }, r.verified, `HTTP ${r.status}`);
    return json as T;
  }

  me() {
    return this.call('GET', '/v1/users/me');
  }

  createUser(user: NewUser) {
    return this.call('POST', '/v1/users', { body: user });
  }

  /** Every portal (operators). */
  listPortals() {
    return this.call<{ portals: PortalJson[] }>('GET', '/v1/portals');
  }

  /** Your own portal, or any for operators. */
  getPortal(portal: string) {
    return this.call<PortalJson>('GET', `/v1/portals/${encodeURIComponent(portal)}`);
  }

  /** A portal with the frameworks and networks it may offer (operators). */
  createPortal(portal: { code: string; name?: string; policy?: PortalPolicyJson }) {
    return this.call<PortalJson>('POST', '/v1/portals', { body: portal });
  }

  updatePortal(portal: string, patch: { name?: string; policy?: PortalPolicyJson }) {
    return this.call<PortalJson>('PATCH', `/v1/portals/${encodeURIComponent(portal)}`, { body: patch });
  }

  listPortalUsers(portal: string) {
    return this.call<{ users: UserJson[] }>('GET', `/v1/portals/${encodeURIComponent(portal)}/users`);
  }

  /** A user of `portal` (its admins, operators; only operators give the operator role). */
  createPortalUser(portal: string, user: NewUser) {
    return this.call<UserJson>('POST', `/v1/portals/${encodeURIComponent(portal)}/users`, { body: user });
  }

  /** A new role, or a new request-signing key, for a user of `portal` (operators). */
  updatePortalUser(portal: string, user: string, patch: { role?: UserJson['role']; algorithm?: KeyAlgorithm; publicKey?: string }) {
    return this.call<UserJson>('PATCH', `/v1/portals/${encodeURIComponent(portal)}/users/${encodeURIComponent(user)}`, { body: patch });
  }

  /** The whole node, for its operators. */
  operatorOverview() {
    return this.call<Record<string, unknown>>('GET', '/v1/operator/overview');
  }

  setChainKey(framework: string, key: { algorithm: KeyAlgorithm; publicKey: string }) {
    return this.call('PUT', `/v1/users/me/chain-keys/${encodeURIComponent(framework)}`, { body: key });
  }

  createApp(app: {
    code: string;
    name?: string;
    framework?: string;
    network?: string;
    mode?: 'consortium' | 'private';
    placement?: 'shared' | 'dedicated';
    members?: string[];
    contract?: unknown;
  }) {
    return this.call('POST', '/v1/apps', { body: app });
  }

  /** Moves the app to new code with the framework's own upgrade, state kept (its owner or a portal admin). */
  upgradeApp(app: string, contract: unknown) {
    return this.call('POST', `/v1/apps/${app}/upgrade`, { app, body: { contract } });
  }

  listApps() {
    return this.call<{ apps: Array<Record<string, unknown>> }>('GET', '/v1/apps');
  }

  getApp(app: string) {
    return this.call('GET', `/v1/apps/${app}`, { app });
  }

  admit(app: string, user: string) {
    return this.call('POST', `/v1/apps/${app}/members`, { app, body: { user } });
  }

  grant(app: string, peer: string, direction: 'incoming' | 'outgoing', methods: string[] = []) {
    return this.call('POST', `/v1/apps/${app}/grants`, { app, body: { peer, direction, methods } });
  }

  /** Sends an interchain call from `app` to an app on another chain (both owners must have granted it). */
  sendCall(app: string, call: InterchainCallRequest) {
    return this.call<InterchainCallJson>('POST', `/v1/apps/${app}/interchain/calls`, { app, body: { ...call } });
  }

  /** An interchain call of `app` by packet id: its state, evidence ids and transactions. */
  getCall(app: string, packetId: string) {
    return this.call<InterchainCallJson>('GET', `/v1/apps/${app}/interchain/calls/${packetId}`, { app });
  }

  async listCalls(app: string): Promise<InterchainCallJson[]> {
    return (await this.call<{ calls: InterchainCallJson[] }>('GET', `/v1/apps/${app}/interchain/calls`, { app })).calls;
  }

  put(app: string, key: string, value: Uint8Array | string, requestId?: string) {
    return this.call<{ txId: string; requestId: string; block: { number: number } }>('PUT', `/v1/apps/${app}/kv/${encodeKey(key)}`, {
      app,
      body: typeof value === 'string' ? utf8(value) : value,
      ...(requestId && { headers: { [HEADERS.requestId]: requestId } }),
    });
  }

  async get(app: string, key: string): Promise<{ key: string; value: Uint8Array; text?: string; txId: string; block: number } | null> {
    try {
      const r = await this.call<{ key: string; value: string; valueText?: string; txId: string; block: number }>(
        'GET',
        `/v1/apps/${app}/kv/${encodeKey(key)}`,
        { app },
      );
      return {
        key: r.key,
        value: fromBase64(r.value),
        ...(r.valueText !== undefined && { text: r.valueText }),
        txId: r.txId,
        block: r.block,
      };
    } catch (err) {
      if (err instanceof NodeResponseError && err.status === 404 && err.reason === 'not-found') return null;
      throw err;
    }
  }

  delete(app: string, key: string, requestId?: string) {
    return this.call('DELETE', `/v1/apps/${app}/kv/${encodeKey(key)}`, {
      app,
      ...(requestId && { headers: { [HEADERS.requestId]: requestId } }),
    });
  }

  history(app: string, key: string) {
    return this.call<{
      key: string;
      entries: Array<{ txId: string; block: number; value: string | null; valueText?: string; deleted: boolean }>;
    }>('GET', `/v1/apps/${app}/history/${encodeKey(key)}`, { app });
  }

  list(app: string, prefix = '', page: { limit?: number; cursor?: string } = {}) {
    const q = new URLSearchParams({
      prefix,
      ...(page.limit && { limit: String(page.limit) }),
      ...(page.cursor && { cursor: page.cursor }),
    });
    return this.call<{ entries: Array<{ key: string; value: string; valueText?: string }>; cursor?: string }>(
      'GET',
      `/v1/apps/${app}/kv?${q}`,
      { app },
    );
  }

  submit(app: string, method: string, args: Array<string | { base64: string }>, requestId?: string) {
    return this.call('POST', `/v1/apps/${app}/transactions`, { app, body: { method, args, ...(requestId && { requestId }) } });
  }

  evaluate(app: string, method: string, args: Array<string | { base64: string }>) {
    return this.call<{ result: string; resultText?: string }>('POST', `/v1/apps/${app}/query`, { app, body: { method, args } });
  }

  prepare(app: string, method: string, args: Array<string | { base64: string }>, requestId?: string) {
    return this.call<PreparedJson>('POST', `/v1/apps/${app}/transactions/prepare`, {
      app,
      body: { method, args, ...(requestId && { requestId }) },
    });
  }

  submitPrepared(app: string, preparedId: string, signature: { compact: string; recovery?: number }) {
    return this.call('POST', `/v1/apps/${app}/transactions/prepared/${preparedId}`, {
      app,
      body: { signature: signature.compact, ...(signature.recovery !== undefined && { recovery: signature.recovery }) },
    });
  }

  usage(app: string) {
    return this.call<{ txs: number; tps: number; reads: number; storageBytes: number; bytesIn: number; bytesOut: number }>(
      'GET',
      `/v1/apps/${app}/usage`,
      { app },
    );
  }

  /**
   * Reads the app's event stream after `after` (a checkpoint id `block:index`), verifying
   * each event's node signature, until `signal` aborts or `limit` events arrived.
   */
  async *events(
    app: string,
    options: { after?: string; name?: string; signal?: AbortSignal; limit?: number; interchain?: boolean } = {},
  ): AsyncGenerator<EventMessage> {
    const key = this.o.skipVerify ? undefined : await this.key();
    const q = new URLSearchParams({ ...(options.name && { name: options.name }) }).toString();
    // `interchain`: only the packet events (calls received, acks, timeouts) of the app's chain.
    const path = options.interchain ? `/v1/apps/${app}/interchain/events` : `/v1/apps/${app}/events`;
    const { headers: signed, digest } = this.signer.signRequest({ method: 'GET', path, query: q, app });
    const res = await fetch(new URL(q ? `${path}?${q}` : path, this.o.baseUrl), {
      headers: { ...signed, ...(options.after && { 'last-event-id': options.after }) },
      ...(options.signal && { signal: options.signal }),
    });
    const nodeSignature = res.headers.get(HEADERS.nodeSignature) ?? undefined;
    if (res.status !== 200 || !res.body) {
      const bytes = new Uint8Array(await res.arrayBuffer());
      const verified = key ? verifyResponse(key, res.status, bytes, digest, nodeSignature) : false;
      if (key && !verified) throw NodeResponseError.unsigned('the event stream', { status: res.status });
      throw NodeResponseError.fromBody(
        JSON.parse(Buffer.from(bytes).toString('utf8') || '{}'),
        { status: res.status },
        verified,
        `HTTP ${res.status}`,
      );
    }
    if (key && !verifyResponse(key, 200, new Uint8Array(0), digest, nodeSignature)) {
      throw NodeResponseError.unsigned('the event stream', { status: 200 });
    }
    const decoder = new TextDecoder();
    let buffer = '';
    let count = 0;
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let i: number;
        while ((i = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            if (!line || line.startsWith(':')) continue;
            const c = line.indexOf(':');
            fields[line.slice(0, c)] = (fields[line.slice(0, c)] ?? '') + line.slice(c + 1).replace(/^ /, '');
          }
          if (fields['event'] === 'error') {
            // Signed like an answer to the subscription, so a party on the path cannot end a stream with a made-up error.
            const { signature, ...body } = JSON.parse(fields['data'] ?? '{}') as { signature?: string };
            const verified = key ? verifyResponse(key, 200, utf8(JSON.stringify(body)), digest, signature) : false;
            if (key && !verified) throw NodeResponseError.unsigned('an error in the event stream', { status: 200 });
            throw NodeResponseError.fromBody(body, { status: 200 }, verified, 'event stream failed');
          }
          if (!fields['data'] || !fields['id']) continue;
          const { signature, ...ev } = JSON.parse(fields['data']) as {
            signature: string;
            id: string;
            app: string;
            name: string;
            payload: string;
            payloadText?: string;
            txId: string;
            checkpoint: { block: number; index: number };
          };
          const verified = key ? verifyEvent(key, ev.id, eventSigningData(ev), digest, signature) : false;
          if (key && !verified) throw NodeResponseError.unsigned(`event ${ev.id}`, { status: 200 });
          yield { ...ev, payload: fromBase64(ev.payload), verified };
          if (options.limit !== undefined && ++count >= options.limit) return;
        }
      }
    } finally {
      await reader.cancel().catch(() => {});
    }
  }
}

/** An interchain call to send: `payload` base64 (core's `encodePacketCall` for kv.put/get/delete), `timeout` ms since epoch. */
export interface InterchainCallRequest {
  dstChain: string;
  dstApp: string;
  method: string;
  payload: string;
  timeout: number;
}

/** An interchain call as the node reports it (see docs/city-node.md, "Interchain calls"). */
export interface InterchainCallJson {
  packetId: string;
  app?: string;
  packet: Record<string, unknown> & { seq: number; dstChain: string; dstApp: string; timeout: number };
  state: 'sent' | 'delivered' | 'acknowledged' | 'timed-out' | 'closed';
  txs: { send?: string; deliver?: string; acknowledge?: string; timeout?: string; close?: string };
  evidence: { packet?: string; ack?: string; timeout?: string };
  ack?: { packetId: string; commitment: string; status: string; result: string };
  lastError?: string;
  createdAt: number;
  updatedAt: number;
}

/** Keys go into the path percent-encoded segment by segment ('/' kept). */
export function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}
