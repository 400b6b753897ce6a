import { eosAdapterFactory } from './factory.js';

/** The plugin entry (`entry` in bsn-plugin.json): its default export is the AdapterFactory. */
export default eosAdapterFactory;
export type { EosNetworkConfig } from './config.js';
