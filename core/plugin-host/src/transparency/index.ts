/** The certificate transparency log (RFC 9162 style): see docs in each module. */
export * as merkle from './merkle.js';
export * from './revocation.js';
export * from './entry.js';
export * from './tree-head.js';
export * from './log.js';
export * from './sth-store.js';
export * from './verifier.js';
export * from './audit.js';
export * from './server.js';
export * from './client.js';
