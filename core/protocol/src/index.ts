export * from './canonical.js';
export * from './response-signer.js';
export * from './grpc-definition.js';
export * from './wire.js';
export * from './errors.js';
