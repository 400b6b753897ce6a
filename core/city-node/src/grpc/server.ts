/**
 * The gRPC gateway (@grpc/grpc-js): the REST operations as RPCs over the same
 * GatewayService, authenticated from metadata over the serialized request bytes, with signed
 * responses in trailing metadata and a server stream of signed events (see
 * core/protocol/proto/bsn_gateway.proto). The handlers are in handlers.ts, what every call
 * goes through around them in calls.ts.
 */
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '@bsn/contract';
import { gatewayService, type ResponseSigner } from '@bsn/protocol';
import type { Authenticator } from '../auth/authenticator.js';
import type { GatewayService } from '../gateway-service.js';
import { RAW, UNDECODABLE, eventStream, unaryCall, type CallContext } from './calls.js';
import { OPEN_RPCS, UNARY_HANDLERS } from './handlers.js';
import type { Msg } from './messages.js';

export interface GrpcOptions {
  service: GatewayService;
  auth: Authenticator;
  signer: ResponseSigner;
  bodyLimit: number;
  host: string;
  port: number;
  logger?: Logger;
}

export interface GrpcGateway {
  address: string;
  /** Stops accepting and lets calls in flight finish (forced after 2 s). */
  close(): Promise<void>;
  /** Ends every call now. */
  forceClose(): void;
}

/** The definition with each request's serialized bytes kept on the message: the caller's signature covers their hash. */
function keepRequestBytes(definition: grpc.ServiceDefinition): grpc.ServiceDefinition {
  const wrapped: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const [name, method] of Object.entries(definition)) {
    wrapped[name] = {
      ...method,
      requestDeserialize: (buf: Buffer) => {
        let msg: Msg;
        try {
          msg = method.requestDeserialize(buf) as Msg;
        } catch (error) {
          // Answered by the call as a signed INVALID_ARGUMENT, not gRPC's own unsigned INTERNAL.
          msg = {};
          Object.defineProperty(msg, UNDECODABLE, { value: (error as Error).message, enumerable: false });
        }
        Object.defineProperty(msg, RAW, { value: buf, enumerable: false });
        return msg;
      },
    };
  }
  return wrapped as grpc.ServiceDefinition;
}

function implementation(ctx: CallContext): grpc.UntypedServiceImplementation {
  const impl: grpc.UntypedServiceImplementation = { Events: eventStream(ctx) };
  for (const [name, handler] of Object.entries(UNARY_HANDLERS)) impl[name] = unaryCall(ctx, name, handler, OPEN_RPCS.has(name));
  return impl;
}

export async function startGrpcServer(o: GrpcOptions): Promise<GrpcGateway> {
  const definition = gatewayService();
  const ctx: CallContext = {
    service: o.service,
    auth: o.auth,
    signer: o.signer,
    bodyLimit: o.bodyLimit,
    definition,
    ...(o.logger && { logger: o.logger }),
  };
  // gRPC refuses a message over its limit inside grpc-js, before any handler or interceptor
  // sees it, so that refusal cannot carry the node's signature. Up to the cap the node reads
  // the message and answers with its own signed INVALID_INPUT (body-too-large); only bodies
  // over twice the limit (plus framing room) are cut by gRPC unread (RESOURCE_EXHAUSTED).
  const server = new grpc.Server({ 'grpc.max_receive_message_length': grpcReceiveCap(o.bodyLimit) });
  server.addService(keepRequestBytes(definition), implementation(ctx));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${o.host}:${o.port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    address: `${o.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
    forceClose: () => server.forceShutdown(),
  };
}

/** The largest message gRPC itself lets through to the node's own (signed) size check. */
export function grpcReceiveCap(bodyLimit: number): number {
  return bodyLimit * 2 + 65_536;
}
