export * from './packet.js';
export * from './attestation.js';
export * from './delivery.js';
export * from './packet-call.js';
