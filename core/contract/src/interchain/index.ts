export * from './packet.js';
export * from './attestation.js';
