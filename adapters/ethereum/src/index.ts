import { ethereumAdapterFactory } from './factory.js';

/** The plugin entry (bsn-plugin.json `entry`): its default export is the AdapterFactory. */
export default ethereumAdapterFactory;
export { ethereumAdapterFactory as createAdapterFactory };
export { ethereumAdapterFactory };
export { EthereumAdapter } from './adapter.js';
export type { EthereumNetworkConfig } from './config.js';
export { resolveConfig } from './config.js';
export { FRAMEWORK, describeAdapter } from './describe.js';
export { LIMITS } from './limits.js';
export { deterministicRegistryAddress, type RegistryContract } from './registry-contract.js';
export { addressOf, ethereumSignature, localKeySigner } from './signer-bridge.js';
export { appInterface } from './abi.js';
