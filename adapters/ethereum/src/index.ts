import { ethereumAdapterFactory } from './factory.js';

/** The plugin entry (bsn-plugin.json `entry`): its default export is the AdapterFactory. */
export default ethereumAdapterFactory;
export { ethereumAdapterFactory as createAdapterFactory };
export { ethereumAdapterFactory };
export { EthereumAdapter } from './adapter.js';
export type { EthereumNetworkConfig } from './config.js';
export { resolveConfig } from './config.js';
export { describeAdapter, CLAIMED_CAPABILITIES, FRAMEWORK_VERSIONS } from './describe.js';
export { LIMITS } from './limits.js';
export { deterministicRegistryAddress } from './registry.js';
export { addressOf, ethereumSignature, localKeySigner } from './signer-bridge.js';
export { appInterface } from './abi.js';
