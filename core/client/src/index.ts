export { RequestSigner, newNonce, type SignedHeaders, type UserKey } from './request-signer.js';
export {
  BsnClient,
  encodeKey,
  type ClientOptions,
  type EventMessage,
  type InterchainCallJson,
  type InterchainCallRequest,
  type RawResponse,
} from './rest-client.js';
export { verifyEvent, verifyResponse, type NodePublicKey } from '@bsn/protocol';
export { HEADERS, canonicalRequest, canonicalResponse } from '@bsn/protocol';
export { BsnGrpcClient, type GrpcClientOptions, type GrpcEventMessage } from './grpc-client.js';
export { NodeResponseError, type ErrorAnswer, type Transport } from './errors.js';
