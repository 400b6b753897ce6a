export { RequestSigner, newNonce, type SignedHeaders, type UserKey } from './request-signer.js';
export { BsnClient, GatewayResponseError, encodeKey, type ClientOptions, type EventMessage, type RawResponse } from './rest-client.js';
export { verifyEvent, verifyResponse, type NodePublicKey } from '../node/auth/response-signer.js';
export { HEADERS, canonicalRequest, canonicalResponse } from '../node/auth/canonical.js';
export { BsnGrpcClient, GrpcCallError, type GrpcClientOptions } from './grpc-client.js';
