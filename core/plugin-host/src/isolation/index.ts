/** Confined plugins: each in a child process under Node's permission model, behind a proxy Adapter. */
export { loadIsolated, declaredGrants, type IsolatedPlugin, type IsolationOptions } from './load.js';
export { PluginProcess, PluginStartError, fromWireError, type PluginProcessOptions, type RestartPolicy } from './plugin-process.js';
export {
  GRANTS,
  INHERITED_ENV,
  confinement,
  defaultRunner,
  escapingLinks,
  type Confinement,
  type ConfinementOptions,
  type Grant,
} from './confinement.js';
export {
  CALL_METHODS,
  PROTOCOL_VERSION,
  describeDenial,
  readChildMessage,
  toWireError,
  type CallMethod,
  type ChildMessage,
  type ConnectInfo,
  type Denial,
  type HostMessage,
  type WireError,
} from './channel.js';
