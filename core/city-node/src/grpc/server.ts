/**
 * The gRPC gateway (@grpc/grpc-js): the REST operations as RPCs over the same NodeService,
 * authenticated from metadata over the serialized request bytes, with signed responses in
 * trailing metadata and a server stream of signed events (see core/proto/bsn_gateway.proto).
 */
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '@bsn/contract';
import { utf8, fromBase64 } from '@bsn/contract';
import type { Authenticator, Caller } from '../auth/authenticator.js';
import { HEADERS, gatewayService, methodPath } from '@bsn/protocol';
import type { ResponseSigner } from '@bsn/protocol';
import { GatewayError, describeError, invalid } from '../errors.js';
import { eventJson, eventSigningData, parseCheckpoint, type EventJson, type NodeService, type ReceiptJson } from '../service.js';

export interface GrpcOptions {
  service: NodeService;
  auth: Authenticator;
  signer: ResponseSigner;
  bodyLimit: number;
  host: string;
  port: number;
  logger?: Logger;
}

export interface GrpcGateway {
  address: string;
  close(): Promise<void>;
}

type Msg = Record<string, unknown>;
const RAW = Symbol('raw request bytes');

function metaValue(md: grpc.Metadata, name: string): string | undefined {
  const v = md.get(name)[0];
  return v === undefined ? undefined : String(v);
}

function argsOf(list: unknown): Array<string | { base64: string }> {
  return ((list as Array<{ text?: string; raw?: Buffer; value?: string }>) ?? []).map((a) =>
    a.value === 'raw' || (a.raw && a.value !== 'text') ? { base64: Buffer.from(a.raw ?? []).toString('base64') } : (a.text ?? ''));
}

function eventMsg(ev: EventJson, signature: string): Msg {
  return { id: ev.id, app: ev.app, name: ev.name, payload: Buffer.from(fromBase64(ev.payload)), txId: ev.txId, block: ev.checkpoint.block, index: ev.checkpoint.index, signature };
}

function receiptMsg(r: ReceiptJson): Msg {
  return {
    txId: r.txId, requestId: r.requestId, status: r.status, blockNumber: r.block.number, blockHash: r.block.hash,
    result: r.result ? Buffer.from(fromBase64(r.result)) : Buffer.alloc(0), events: r.events.map((e) => eventMsg(e, '')), timestamp: r.timestamp,
  };
}

function appMsg(a: Record<string, unknown>): Msg {
  return { ...a, members: (a['members'] as string[] | undefined) ?? [], chainJson: JSON.stringify(a['chain'] ?? {}) };
}

function userMsg(u: Msg): Msg {
  return { ...u, chainAccountsJson: JSON.stringify(u['chainAccounts'] ?? {}) };
}

function grantMsg(g: Msg): Msg {
  return {
    sourceApp: g['sourceApp'], targetApp: g['targetApp'], effective: g['effective'],
    sourceJson: g['source'] ? JSON.stringify(g['source']) : '', targetJson: g['target'] ? JSON.stringify(g['target']) : '',
  };
}

export async function startGrpcServer(o: GrpcOptions): Promise<GrpcGateway> {
  const { service, auth, signer } = o;
  const definition = gatewayService();
  // Keep each request's serialized bytes: the caller's signature covers their hash.
  const wrapped: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const [name, method] of Object.entries(definition)) {
    wrapped[name] = {
      ...method,
      requestDeserialize: (buf: Buffer) => {
        const msg = method.requestDeserialize(buf) as Msg;
        Object.defineProperty(msg, RAW, { value: buf, enumerable: false });
        return msg;
      },
    };
  }

  const authenticate = async (call: grpc.ServerUnaryCall<Msg, Msg> | grpc.ServerWritableStream<Msg, Msg>, name: string): Promise<Caller> => {
    const raw = (call.request as Record<symbol, Buffer>)[RAW] ?? Buffer.alloc(0);
    if (raw.length > o.bodyLimit) throw new GatewayError('INVALID_INPUT', 'body-too-large', `the request is larger than the ${o.bodyLimit} bytes this node accepts`);
    const caller = await auth.authenticate({ method: 'GRPC', path: methodPath(name), query: '', body: raw, header: (h) => metaValue(call.metadata, h) });
    const app = (call.request as Msg)['app'];
    if (typeof app === 'string' && app && caller.app !== app) {
      throw new GatewayError('UNAUTHORIZED', 'app-mismatch', `the request was signed for app "${caller.app}" but addresses app ${app}`, { field: HEADERS.app });
    }
    return caller;
  };

  const unary = (name: string, handler: (caller: Caller, req: Msg) => Promise<Msg>, open = false) =>
    (call: grpc.ServerUnaryCall<Msg, Msg>, callback: grpc.sendUnaryData<Msg>) => {
      const started = process.hrtime.bigint();
      const nonce = metaValue(call.metadata, HEADERS.nonce) ?? '';
      const finish = (status: string) => service.metering.requests.observe({ api: 'grpc', route: name, status }, Number(process.hrtime.bigint() - started) / 1e9);
      (async () => {
        const caller = open ? undefined : await authenticate(call, name);
        return handler(caller as Caller, call.request);
      })().then(
        async (response) => {
          const bytes = definition[name]!.responseSerialize(response);
          const trailer = new grpc.Metadata();
          trailer.set(HEADERS.nodeSignature, await signer.signResponse(0, bytes, nonce));
          trailer.set(HEADERS.nodeKey, signer.key.keyId);
          finish('OK');
          const app = (call.request as Msg)['app'] ?? (name === 'CreateApp' ? (call.request as Msg)['code'] : undefined);
          if (typeof app === 'string' && app) {
            const bytesIn = ((call.request as Record<symbol, Buffer>)[RAW] ?? Buffer.alloc(0)).length;
            service.recordBandwidth(app, bytesIn, bytes.length);
          }
          callback(null, response, trailer);
        },
        async (err: unknown) => {
          const { grpcCode, body, status } = describeError(err);
          if (status >= 500) o.logger?.error('gRPC call failed', { method: name, error: (err as Error).message });
          const json = JSON.stringify(body);
          const md = new grpc.Metadata();
          md.set('x-bsn-error-bin', Buffer.from(json, 'utf8'));
          md.set(HEADERS.nodeSignature, await signer.signResponse(grpcCode, utf8(json), nonce));
          md.set(HEADERS.nodeKey, signer.key.keyId);
          finish(String(grpcCode));
          callback({ code: grpcCode, details: body.error.message, metadata: md });
        },
      ).catch((err: unknown) => {
        // Answering itself failed (serialising, signing): the call must still end.
        o.logger?.error('gRPC answer failed', { method: name, error: (err as Error).message });
        finish(String(grpc.status.INTERNAL));
        callback({ code: grpc.status.INTERNAL, details: 'the node could not answer this call' });
      });
    };

  const s = service;
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const impl: grpc.UntypedServiceImplementation = {
    GetNode: unary('GetNode', async () => {
      const info = s.nodeInfo();
      const key = info['key'] as { algorithm: string; publicKey: string; keyId: string };
      return { name: info['name'], keyAlgorithm: key.algorithm, publicKey: key.publicKey, keyId: key.keyId, networksJson: JSON.stringify(info['networks']) };
    }, true),
    CreateApp: unary('CreateApp', async (c, r) => {
      let contract: unknown;
      if (str(r['contractJson'])) {
        try {
          contract = JSON.parse(r['contractJson'] as string);
        } catch {
          throw invalid('malformed-body', 'contract_json is not JSON', '/contract_json');
        }
      }
      const body: Msg = { code: r['code'], ...(str(r['name']) && { name: r['name'] }), ...(str(r['framework']) && { framework: r['framework'] }),
        ...(str(r['network']) && { network: r['network'] }), ...(str(r['mode']) && { mode: r['mode'] }), ...(str(r['placement']) && { placement: r['placement'] }),
        members: r['members'] ?? [], ...(contract !== undefined && { contract }) };
      return appMsg(await s.createApp(c, body) as unknown as Msg);
    }),
    ListApps: unary('ListApps', async (c) => ({ apps: (await s.listApps(c)).map((a) => appMsg(a as unknown as Msg)) })),
    GetApp: unary('GetApp', async (c, r) => appMsg(await s.getApp(c, String(r['app'])) as unknown as Msg)),
    KvPut: unary('KvPut', async (c, r) => receiptMsg(await s.kvPut(c, String(r['app']), String(r['key']), new Uint8Array(r['value'] as Buffer), str(r['requestId'])))),
    KvDelete: unary('KvDelete', async (c, r) => receiptMsg(await s.kvDelete(c, String(r['app']), String(r['key']), str(r['requestId'])))),
    KvGet: unary('KvGet', async (c, r) => {
      const e = await s.kvGet(c, String(r['app']), String(r['key']));
      return { key: e['key'], value: Buffer.from(fromBase64(e['value'] as string)), txId: e['txId'], block: e['block'] };
    }),
    KvHistory: unary('KvHistory', async (c, r) => {
      const h = await s.kvHistory(c, String(r['app']), String(r['key']));
      return {
        key: h['key'],
        entries: (h['entries'] as Array<Msg>).map((e) => ({ txId: e['txId'], block: e['block'], timestamp: e['timestamp'], value: e['value'] ? Buffer.from(fromBase64(e['value'] as string)) : Buffer.alloc(0), deleted: e['deleted'] })),
      };
    }),
    KvList: unary('KvList', async (c, r) => {
      const p = await s.kvList(c, String(r['app']), String(r['prefix'] ?? ''), (r['limit'] as number) || undefined, str(r['cursor']));
      return { entries: (p['entries'] as Msg[]).map((e) => ({ key: e['key'], value: Buffer.from(fromBase64(e['value'] as string)), txId: e['txId'], block: e['block'] })), cursor: p['cursor'] ?? '' };
    }),
    Submit: unary('Submit', async (c, r) => receiptMsg(await s.submit(c, String(r['app']), { method: r['method'], args: argsOf(r['args']), ...(str(r['requestId']) && { requestId: r['requestId'] }) }))),
    Evaluate: unary('Evaluate', async (c, r) => {
      const e = await s.evaluate(c, String(r['app']), { method: r['method'], args: argsOf(r['args']) });
      return { result: Buffer.from(fromBase64(e['result'] as string)), block: e['block'] ?? 0 };
    }),
    Prepare: unary('Prepare', async (c, r) => s.prepare(c, String(r['app']), { method: r['method'], args: argsOf(r['args']), ...(str(r['requestId']) && { requestId: r['requestId'] }) })),
    SubmitPrepared: unary('SubmitPrepared', async (c, r) => receiptMsg(await s.submitPrepared(c, String(r['app']), String(r['preparedId']), {
      signature: r['signature'], ...(r['hasRecovery'] ? { recovery: r['recovery'] } : {}),
    }))),
    Usage: unary('Usage', async (c, r) => s.usage(c, String(r['app'])) as unknown as Promise<Msg>),
    Me: unary('Me', async (c) => userMsg(await s.me(c) as unknown as Msg)),
    CreateUser: unary('CreateUser', async (c, r) => userMsg(await s.createUser(c, {
      code: r['code'], algorithm: r['algorithm'], publicKey: r['publicKey'], ...(str(r['keyMode']) && { keyMode: r['keyMode'] }), ...(str(r['role']) && { role: r['role'] }),
    }) as unknown as Msg)),
    SetChainKey: unary('SetChainKey', async (c, r) => userMsg(await s.setChainKey(c, String(r['framework']), { algorithm: r['algorithm'], publicKey: r['publicKey'] }) as unknown as Msg)),
    AdmitUser: unary('AdmitUser', async (c, r) => appMsg(await s.admit(c, String(r['app']), { user: r['user'] }) as unknown as Msg)),
    Grant: unary('Grant', async (c, r) => grantMsg(await s.grant(c, String(r['app']), {
      peer: r['peer'], direction: r['direction'], methods: r['methods'] ?? [], expiresAt: Number(r['expiresAt'] ?? 0),
    }) as unknown as Msg)),
    ListGrants: unary('ListGrants', async (c, r) => ({ grants: (await s.listGrants(c, String(r['app']))).map((g) => grantMsg(g as unknown as Msg)) })),
    Events: (call: grpc.ServerWritableStream<Msg, Msg>) => {
      const controller = new AbortController();
      call.on('cancelled', () => controller.abort());
      call.on('close', () => controller.abort());
      (async () => {
        const caller = await authenticate(call, 'Events');
        const r = call.request;
        const after = parseCheckpoint(str(r['after']), '/after');
        const events = await s.events(caller, String(r['app']), after, str(r['name']), controller.signal);
        const header = new grpc.Metadata();
        header.set(HEADERS.nodeSignature, await signer.signResponse(0, new Uint8Array(0), caller.nonce));
        header.set(HEADERS.nodeKey, signer.key.keyId);
        call.sendMetadata(header);
        let sent = 0;
        for await (const e of events) {
          const ev = eventJson(e);
          const msg = eventMsg(ev, await signer.signEvent(ev.id, eventSigningData(ev), caller.nonce));
          sent += ev.payload.length;
          if (!call.write(msg)) await new Promise((res) => call.once('drain', res));
          if (controller.signal.aborted) break;
        }
        service.recordBandwidth(String(r['app']), 0, sent);
        call.end();
      })().catch((err: unknown) => {
        if (controller.signal.aborted) return;
        const { grpcCode, body } = describeError(err);
        const md = new grpc.Metadata();
        md.set('x-bsn-error-bin', Buffer.from(JSON.stringify(body), 'utf8'));
        call.destroy(Object.assign(new Error(body.error.message), { code: grpcCode, details: body.error.message, metadata: md }));
      });
    },
  };

  // gRPC refuses a message over its limit inside grpc-js, before any handler or interceptor
  // sees it, so that refusal cannot carry the node's signature. Up to the cap the node reads
  // the message and answers with its own signed INVALID_INPUT (body-too-large); only bodies
  // over twice the limit (plus framing room) are cut by gRPC unread (RESOURCE_EXHAUSTED).
  const server = new grpc.Server({ 'grpc.max_receive_message_length': grpcReceiveCap(o.bodyLimit) });
  server.addService(wrapped as grpc.ServiceDefinition, impl);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${o.host}:${o.port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  return {
    address: `${o.host}:${port}`,
    close: () => new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, 2000);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    }),
  };
}

/** The largest message gRPC itself lets through to the node's own (signed) size check. */
export function grpcReceiveCap(bodyLimit: number): number {
  return bodyLimit * 2 + 65_536;
}
