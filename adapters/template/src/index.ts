import { templateAdapterFactory } from './factory.js';

/** The plugin entry (`entry` in bsn-plugin.json): its default export is the AdapterFactory. */
export default templateAdapterFactory;
export type { TemplateNetworkConfig } from './factory.js';
