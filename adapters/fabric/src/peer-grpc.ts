import * as grpc from '@grpc/grpc-js';
import type { FabricPeerConfig } from './config.js';

/** 100 MiB, the peer's own gRPC limit (a `list` page of maximal values is ~9 MB; grpc-js's default is 4 MiB). */
const MAX_MESSAGE = 100 * 1024 * 1024;

/** A TLS gRPC client to a peer as the network config names it (server name override, message limits). */
export function peerGrpcClient(peer: FabricPeerConfig, options: grpc.ChannelOptions = {}): grpc.Client {
  return new grpc.Client(peer.endpoint, grpc.credentials.createSsl(Buffer.from(peer.tlsRootCert)), {
    ...(peer.hostOverride && { 'grpc.ssl_target_name_override': peer.hostOverride }),
    'grpc.max_receive_message_length': MAX_MESSAGE,
    'grpc.max_send_message_length': MAX_MESSAGE,
    ...options,
  });
}
