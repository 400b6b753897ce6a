import { fiscoAdapterFactory } from './factory.js';

/** The plugin entry (`entry` in bsn-plugin.json): its default export is the AdapterFactory. */
export default fiscoAdapterFactory;
export type { FiscoNetworkConfig } from './config.js';
export { deployRegistry } from './contracts/deploy-registry.js';
