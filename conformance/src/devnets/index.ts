export * from './devnet.js';
export * from './anvil.js';
export * from './geth.js';
export * from './containers.js';
export * from './ethereum-network.js';
export * from './registry.js';
export { freePort } from './free-port.js';
export { ensureGoBinary, goVersion, goBinaryPath } from './go-build.js';
export * from './fabric/index.js';
