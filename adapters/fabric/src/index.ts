import { fabricAdapterFactory } from './factory.js';

/** The plugin entry (bsn-plugin.json `entry`): its default export is the AdapterFactory. */
export default fabricAdapterFactory;
export { fabricAdapterFactory as createAdapterFactory };
export { fabricAdapterFactory };
export { FabricAdapter } from './adapter.js';
export type { FabricNetworkConfig } from './config.js';
export { resolveConfig } from './config.js';
export { describeAdapter } from './describe.js';
export { LIMITS } from './limits.js';
export { accountId } from './accounts.js';
export { derSignature, fabricSigner } from './signer-bridge.js';
export { blockHeaderHash } from './blocks.js';
export { FabricInterchain } from './interchain/interchain.js';
export { verifyFabricEvidence } from './interchain/verify.js';
export { checkRoots as checkFabricRoots, type FabricRoots, type FabricPolicy } from './interchain/trust.js';
export type { FabricProof } from './interchain/proof.js';
