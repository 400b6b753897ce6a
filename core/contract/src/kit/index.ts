/**
 * The adapter kit: what every adapter would otherwise write for itself. Input checks for
 * preset calls and interchain requests, the network config read against the plugin's schema,
 * the user-key envelope, health timing, the error-mapping frame, event checkpoints, app-spec
 * checks, the attester policy, the fail-closed verifier frame and `describe()` from the
 * manifest. An adapter keeps only what is its framework's.
 */
export * from './accounts.js';
export * from './app-spec.js';
export * from './contract-package.js';
export * from './custom-app-gateway.js';
export * from './evm-abi.js';
export * from './evm-code.js';
export * from './describe.js';
export * from './errors.js';
export * from './events.js';
export * from './health.js';
export * from './input-checks.js';
export * from './interchain.js';
export * from './invocation.js';
export * from './logger.js';
export * from './network-config.js';
export * from './prepared.js';
export * from './verification.js';
