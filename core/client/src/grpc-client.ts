/**
 * A small gRPC client for the city node: signs each call over the serialized request,
 * verifies the node's signature in the trailing metadata over the serialized response (or
 * the error JSON), and streams signed events.
 */
import type { InterchainCallRequest } from './rest-client.js';
import * as grpc from '@grpc/grpc-js';
import type { KeyAlgorithm } from '@bsn/contract';
import { toBase64, utf8 } from '@bsn/contract';
import {
  HEADERS,
  canonicalRequest,
  digestOfSigned,
  verifyEvent,
  verifyResponse,
  type NodePublicKey,
  gatewayService,
  methodPath,
  eventSigningData,
} from '@bsn/protocol';
import { NodeResponseError } from './errors.js';
import { RequestSigner } from './request-signer.js';

type Msg = Record<string, unknown>;
const RAW = Symbol('raw response bytes');

/** An event from the gRPC stream, its node signature checked (`verified`). */
export type GrpcEventMessage = Msg & { id: string; verified: boolean };

export interface GrpcClientOptions {
  /** host:port */
  address: string;
  user: string;
  algorithm: KeyAlgorithm;
  privateKey: Uint8Array;
  nodeKey?: NodePublicKey;
  skipVerify?: boolean;
}

export class BsnGrpcClient {
  readonly signer: RequestSigner;
  private readonly client: grpc.Client & Record<string, (...args: unknown[]) => grpc.ClientUnaryCall | grpc.ClientReadableStream<Msg>>;
  private readonly definition = gatewayService();
  private nodeKey?: NodePublicKey;

  constructor(private readonly o: GrpcClientOptions) {
    this.signer = new RequestSigner(o.user, o.algorithm, o.privateKey);
    if (o.nodeKey) this.nodeKey = o.nodeKey;
    const wrapped: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
    for (const [name, method] of Object.entries(this.definition)) {
      wrapped[name] = {
        ...method,
        responseDeserialize: (buf: Buffer) => {
          const msg = method.responseDeserialize(buf) as Msg;
          Object.defineProperty(msg, RAW, { value: buf, enumerable: false });
          return msg;
        },
      };
    }
    const Ctor = grpc.makeGenericClientConstructor(wrapped as grpc.ServiceDefinition, 'Gateway');
    this.client = new Ctor(o.address, grpc.credentials.createInsecure()) as unknown as BsnGrpcClient['client'];
  }

  close(): void {
    this.client.close();
  }

  private metadata(
    name: string,
    request: Msg,
    app: string,
    overrides: { nonce?: string; timestamp?: number; signature?: string } = {},
  ): { md: grpc.Metadata; digest: string } {
    const body = this.definition[name]!.requestSerialize(request);
    const { headers: h, digest } = this.signer.signRequest({
      method: 'GRPC',
      path: methodPath(name),
      body,
      app,
      ...(overrides.nonce && { nonce: overrides.nonce }),
      ...(overrides.timestamp !== undefined && { timestamp: overrides.timestamp }),
    });
    const md = new grpc.Metadata();
    for (const [k, v] of Object.entries(h)) md.set(k, v);
    if (!overrides.signature) return { md, digest };
    // A test's forged signature: the node answers for the request as sent, so the digest follows it.
    md.set(HEADERS.signature, overrides.signature);
    const canonical = canonicalRequest({
      method: 'GRPC',
      path: methodPath(name),
      query: '',
      body,
      user: h[HEADERS.user],
      app,
      timestamp: h[HEADERS.timestamp],
      nonce: h[HEADERS.nonce],
    });
    return { md, digest: digestOfSigned(canonical, overrides.signature) };
  }

  async node(): Promise<Msg & { key: NodePublicKey }> {
    const info = await this.unary('GetNode', {}, '', { open: true });
    const key: NodePublicKey = {
      algorithm: info['keyAlgorithm'] as KeyAlgorithm,
      publicKey: info['publicKey'] as string,
      keyId: info['keyId'] as string,
    };
    this.nodeKey ??= key;
    return { ...info, key };
  }

  /** One signed unary call; resolves with the response once its node signature verified. */
  async unary(
    name: string,
    request: Msg,
    app: string,
    options: { open?: boolean; nonce?: string; timestamp?: number; signature?: string } = {},
  ): Promise<Msg> {
    const key = options.open || this.o.skipVerify ? undefined : (this.nodeKey ?? (await this.node()).key);
    const { md, digest } = options.open ? { md: new grpc.Metadata(), digest: '' } : this.metadata(name, request, app, options);
    return new Promise((resolve, reject) => {
      let response: Msg | undefined;
      let failure: grpc.ServiceError | undefined;
      const call = (
        this.client[name] as (req: Msg, md: grpc.Metadata, cb: (err: grpc.ServiceError | null, res?: Msg) => void) => grpc.ClientUnaryCall
      )(request, md, (err, res) => {
        if (err) failure = err;
        else response = res;
      });
      call.on('status', (status: grpc.StatusObject) => {
        // The callback has run by the time 'status' is emitted.
        setImmediate(() => {
          const signature = String(status.metadata.get(HEADERS.nodeSignature)[0] ?? '');
          if (failure) {
            const json = (failure.metadata?.get('x-bsn-error-bin')[0] ?? status.metadata.get('x-bsn-error-bin')[0] ?? '').toString();
            const verified = key ? verifyResponse(key, failure.code, utf8(json), digest, signature) : false;
            reject(NodeResponseError.fromBody(json ? JSON.parse(json) : {}, { grpcCode: failure.code }, verified, failure.details));
            return;
          }
          const raw = (response as Record<symbol, Buffer> | undefined)?.[RAW] ?? Buffer.alloc(0);
          if (key && !verifyResponse(key, 0, raw, digest, signature)) {
            reject(NodeResponseError.unsigned(`the response to ${name}`, { grpcCode: grpc.status.UNAUTHENTICATED }));
            return;
          }
          resolve(response!);
        });
      });
    });
  }

  createApp(app: {
    code: string;
    name?: string;
    framework?: string;
    network?: string;
    mode?: 'consortium' | 'private';
    placement?: 'shared' | 'dedicated';
    members?: string[];
  }) {
    return this.unary('CreateApp', { ...app }, '');
  }

  listApps() {
    return this.unary('ListApps', {}, '');
  }

  /** A portal (operators); `policyJson` is the policy as JSON (empty: may offer anything). */
  createPortal(portal: { code: string; name?: string; policyJson?: string }) {
    return this.unary('CreatePortal', { ...portal }, '');
  }

  /** What is given and not empty replaces what was there. */
  updatePortal(portal: { code: string; name?: string; policyJson?: string }) {
    return this.unary('UpdatePortal', { ...portal }, '');
  }

  listPortals() {
    return this.unary('ListPortals', {}, '');
  }

  createPortalUser(user: { portal: string; code: string; algorithm: string; publicKey: string; keyMode?: string; role?: string }) {
    return this.unary('CreatePortalUser', { ...user }, '');
  }

  updatePortalUser(user: { portal: string; code: string; role?: string; algorithm?: string; publicKey?: string }) {
    return this.unary('UpdatePortalUser', { ...user }, '');
  }

  operatorOverview() {
    return this.unary('OperatorOverview', {}, '');
  }

  /** An interchain call (as `BsnClient.sendCall`); the answer's `callJson` is the call as REST reports it. */
  sendCall(app: string, call: InterchainCallRequest) {
    return this.unary('SendCall', { app, ...call }, app);
  }

  getCall(app: string, packetId: string) {
    return this.unary('GetCall', { app, packetId }, app);
  }

  listCalls(app: string) {
    return this.unary('ListCalls', { app }, app);
  }

  put(app: string, key: string, value: Uint8Array | string, requestId = '') {
    return this.unary('KvPut', { app, key, value: Buffer.from(typeof value === 'string' ? utf8(value) : value), requestId }, app);
  }

  get(app: string, key: string) {
    return this.unary('KvGet', { app, key }, app);
  }

  delete(app: string, key: string, requestId = '') {
    return this.unary('KvDelete', { app, key, requestId }, app);
  }

  history(app: string, key: string) {
    return this.unary('KvHistory', { app, key }, app);
  }

  list(app: string, prefix = '', limit = 0, cursor = '') {
    return this.unary('KvList', { app, prefix, limit, cursor }, app);
  }

  submit(app: string, method: string, args: Array<string | Uint8Array>, requestId = '') {
    return this.unary(
      'Submit',
      { app, method, args: args.map((a) => (typeof a === 'string' ? { text: a } : { raw: Buffer.from(a) })), requestId },
      app,
    );
  }

  evaluate(app: string, method: string, args: Array<string | Uint8Array>) {
    return this.unary(
      'Evaluate',
      { app, method, args: args.map((a) => (typeof a === 'string' ? { text: a } : { raw: Buffer.from(a) })) },
      app,
    );
  }

  usage(app: string) {
    return this.unary('Usage', { app }, app);
  }

  /** Signed events after `after` until `signal` aborts or `limit` arrived; each is verified. */
  async *events(
    app: string,
    options: { after?: string; name?: string; limit?: number; signal?: AbortSignal } = {},
  ): AsyncGenerator<GrpcEventMessage> {
    const key = this.o.skipVerify ? undefined : (this.nodeKey ?? (await this.node()).key);
    const request = { app, after: options.after ?? '', name: options.name ?? '' };
    const { md, digest } = this.metadata('Events', request, app);
    const stream = (this.client['Events'] as (req: Msg, md: grpc.Metadata) => grpc.ClientReadableStream<Msg>)(request, md);
    const abort = () => stream.cancel();
    options.signal?.addEventListener('abort', abort, { once: true });
    let count = 0;
    try {
      for await (const msg of stream as AsyncIterable<Msg>) {
        const payload = msg['payload'] as Buffer;
        const ev = {
          id: String(msg['id']),
          app: String(msg['app']),
          name: String(msg['name']),
          payload: toBase64(payload),
          txId: String(msg['txId']),
          checkpoint: { block: Number(msg['block']), index: Number(msg['index']) },
        };
        const verified = key ? verifyEvent(key, ev.id, eventSigningData(ev), digest, String(msg['signature'])) : false;
        if (key && !verified) throw NodeResponseError.unsigned(`event ${ev.id}`, { grpcCode: grpc.status.UNAUTHENTICATED });
        yield { ...msg, id: ev.id, verified };
        if (options.limit !== undefined && ++count >= options.limit) return;
      }
    } catch (err) {
      if ((err as { code?: number }).code === grpc.status.CANCELLED) return;
      const json = ((err as grpc.ServiceError).metadata?.get('x-bsn-error-bin')[0] ?? '').toString();
      if (json) throw NodeResponseError.fromBody(JSON.parse(json), { grpcCode: (err as grpc.ServiceError).code }, false, '');
      throw err;
    } finally {
      options.signal?.removeEventListener('abort', abort);
      stream.cancel();
    }
  }
}
