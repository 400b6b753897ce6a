/** The plugin entry (bsn-plugin.json `entry`). The factory arrives with the gateway. */
export { describeAdapter, CLAIMED_CAPABILITIES, FRAMEWORK_VERSIONS, ADAPTER_NAME, ADAPTER_VERSION } from './describe.js';
export { LIMITS } from './limits.js';
