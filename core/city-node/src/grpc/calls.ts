/**
 * What every gRPC call goes through around its handler: authentication over the request's
 * serialized bytes, the node's signature on the answer (in trailing metadata for a unary
 * call, in the header and on each event for the stream), metering, and error answers as
 * the same JSON body REST sends, in `x-bsn-error-bin`.
 */
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '@bsn/contract';
import { utf8 } from '@bsn/contract';
import { HEADERS, eventJson, eventSigningData, methodPath, type ResponseSigner } from '@bsn/protocol';
import { Authenticator, type Caller, type IncomingRequest } from '../auth/authenticator.js';
import { parseCheckpoint } from '../body.js';
import { ApiError, describeError } from '../errors.js';
import type { GatewayService } from '../gateway-service.js';
import type { UnaryHandler } from './handlers.js';
import { eventMsg, optional, type Msg } from './messages.js';

export interface CallContext {
  service: GatewayService;
  auth: Authenticator;
  signer: ResponseSigner;
  bodyLimit: number;
  logger?: Logger;
  /** Serializes answers: the node signs their bytes. */
  definition: grpc.ServiceDefinition;
}

/** Where the server's deserializer keeps each request's bytes (see `keepRequestBytes`). */
export const RAW = Symbol('raw request bytes');
/** Set, to the decoder's message, on a request whose bytes are not the method's message. */
export const UNDECODABLE = Symbol('undecodable request');

function rawOf(request: Msg): Buffer {
  return (request as Record<symbol, Buffer>)[RAW] ?? Buffer.alloc(0);
}

function metaValue(md: grpc.Metadata, name: string): string | undefined {
  const v = md.get(name)[0];
  return v === undefined ? undefined : String(v);
}

type AnyCall = grpc.ServerUnaryCall<Msg, Msg> | grpc.ServerWritableStream<Msg, Msg>;

/** The call as a request to sign and check: METHOD `GRPC`, the full method name, the serialized message. */
function incoming(call: AnyCall, name: string): IncomingRequest {
  return { method: 'GRPC', path: methodPath(name), query: '', body: rawOf(call.request), header: (h) => metaValue(call.metadata, h) };
}

function checkDecoded(call: AnyCall, name: string): void {
  const undecodable = (call.request as Record<symbol, string | undefined>)[UNDECODABLE];
  if (undecodable !== undefined)
    throw new ApiError('INVALID_INPUT', 'malformed-body', `the request is not a ${name} message: ${undecodable}`);
}

async function authenticate(ctx: CallContext, call: AnyCall, name: string): Promise<Caller> {
  checkDecoded(call, name);
  const raw = rawOf(call.request);
  if (raw.length > ctx.bodyLimit)
    throw new ApiError('INVALID_INPUT', 'body-too-large', `the request is larger than the ${ctx.bodyLimit} bytes this node accepts`);
  const caller = await ctx.auth.authenticate(incoming(call, name));
  const app = call.request['app'];
  if (typeof app === 'string' && app && caller.app !== app) {
    throw new ApiError('UNAUTHORIZED', 'app-mismatch', `the request was signed for app "${caller.app}" but addresses app ${app}`, {
      field: HEADERS.app,
    });
  }
  return caller;
}

function errorMetadata(body: unknown): grpc.Metadata {
  const md = new grpc.Metadata();
  md.set('x-bsn-error-bin', Buffer.from(JSON.stringify(body), 'utf8'));
  return md;
}

/** A unary RPC: authenticate (unless `open`), run the handler, answer signed either way. */
export function unaryCall(ctx: CallContext, name: string, handler: UnaryHandler, open: boolean): grpc.handleUnaryCall<Msg, Msg> {
  const { service, signer } = ctx;
  return (call, callback) => {
    const started = process.hrtime.bigint();
    // Computed up front: every answer, an error included, is bound to the request.
    const digest = Authenticator.digestOf(incoming(call, name));
    const finish = (status: string) =>
      service.metering.requests.observe({ api: 'grpc', route: name, status }, Number(process.hrtime.bigint() - started) / 1e9);

    let caller: Caller | undefined;
    const answer = async (response: Msg) => {
      const bytes = ctx.definition[name]!.responseSerialize(response);
      const trailer = new grpc.Metadata();
      trailer.set(HEADERS.nodeSignature, await signer.signResponse(0, bytes, digest));
      trailer.set(HEADERS.nodeKey, signer.key.keyId);
      finish('OK');
      const app = call.request['app'] ?? (name === 'CreateApp' ? call.request['code'] : undefined);
      if (typeof app === 'string' && app) service.recordBandwidth(caller, app, rawOf(call.request).length, bytes.length);
      callback(null, response, trailer);
    };

    const refuse = async (err: unknown) => {
      const { grpcCode, body, status } = describeError(err);
      if (status >= 500) ctx.logger?.error('gRPC call failed', { method: name, error: (err as Error).message });
      const json = JSON.stringify(body);
      const md = errorMetadata(body);
      md.set(HEADERS.nodeSignature, await signer.signResponse(grpcCode, utf8(json), digest));
      md.set(HEADERS.nodeKey, signer.key.keyId);
      finish(String(grpcCode));
      callback({ code: grpcCode, details: body.error.message, metadata: md });
    };

    (async () => {
      if (open) checkDecoded(call, name);
      caller = open ? undefined : await authenticate(ctx, call, name);
      return handler(service, caller as Caller, call.request);
    })()
      .then(answer, refuse)
      .catch((err: unknown) => {
        // Answering itself failed (serialising, signing): the call must still end.
        ctx.logger?.error('gRPC answer failed', { method: name, error: (err as Error).message });
        finish(String(grpc.status.INTERNAL));
        callback({ code: grpc.status.INTERNAL, details: 'the node could not answer this call' });
      });
  };
}

/** The Events stream: each event signed for the subscription request, until the client cancels. */
export function eventStream(ctx: CallContext): grpc.handleServerStreamingCall<Msg, Msg> {
  const { service, signer } = ctx;
  return (call) => {
    const controller = new AbortController();
    call.on('cancelled', () => controller.abort());
    call.on('close', () => controller.abort());
    (async () => {
      const caller = await authenticate(ctx, call, 'Events');
      const r = call.request;
      const after = parseCheckpoint(optional(r['after']), '/after');
      const events = await service.events(caller, String(r['app']), after, optional(r['name']), controller.signal);
      const header = new grpc.Metadata();
      header.set(HEADERS.nodeSignature, await signer.signResponse(0, new Uint8Array(0), caller.digest));
      header.set(HEADERS.nodeKey, signer.key.keyId);
      call.sendMetadata(header);
      let sent = 0;
      for await (const e of events) {
        const ev = eventJson(e);
        const msg = eventMsg(ev, await signer.signEvent(ev.id, eventSigningData(ev), caller.digest));
        sent += ev.payload.length;
        if (!call.write(msg)) await new Promise((res) => call.once('drain', res));
        if (controller.signal.aborted) break;
      }
      service.recordBandwidth(caller, String(r['app']), 0, sent);
      call.end();
    })().catch(async (err: unknown) => {
      if (controller.signal.aborted) return;
      const { grpcCode, body } = describeError(err);
      const metadata = errorMetadata(body);
      metadata.set(
        HEADERS.nodeSignature,
        await signer.signResponse(grpcCode, utf8(JSON.stringify(body)), Authenticator.digestOf(incoming(call, 'Events'))),
      );
      metadata.set(HEADERS.nodeKey, signer.key.keyId);
      call.destroy(Object.assign(new Error(body.error.message), { code: grpcCode, details: body.error.message, metadata }));
    });
  };
}
