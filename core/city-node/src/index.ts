/** The city node, for embedding (`@bsn/city-node`); `bsn node start` is the usual way to run one. */
export {
  CityNode,
  consoleLogger,
  type DevnetStarter,
  startPluginDevnet,
  type PluginLoadReport,
  type StartOptions,
  type StartedChain,
} from './city-node.js';
export { loadNodeConfig, resolveNodeConfig, type NodeConfig, type NetworkEntry, type PluginEntry } from './config.js';
export { GatewayService, type GatewayServiceOptions, type Readiness } from './gateway-service.js';
export { Networks, type ConnectedNetwork } from './networks.js';
export { Metering, type AppUsage } from './metering.js';
export { NodeKeys } from './keys.js';
export { Authenticator, type Caller } from './auth/authenticator.js';
export { HEADERS, canonicalRequest, canonicalResponse, canonicalEvent, REASONS, type Reason } from '@bsn/protocol';
export { ApiError, describeError } from './errors.js';
export { appKey } from './app-codes.js';
export { openSqliteRegistry } from './registry/sqlite.js';
export { openPostgresRegistry } from './registry/postgres.js';
export type * from './registry/registry.js';
export { prepareQuickstart, readDemoKey, type ConformanceKitCli, type DemoUserKey, type QuickstartResult } from './quickstart.js';
export { PeerClient, ATTESTATIONS_PATH } from './interchain/peer-client.js';
export type { InterchainNode } from './interchain/interchain-node.js';
export type { AttestationRequest, AttestationAnswer } from './interchain/attester.js';
