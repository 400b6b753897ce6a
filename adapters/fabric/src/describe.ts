import { ADAPTER_API_VERSION, type AdapterDescription, type Capability } from '@bsn/contract';
import { LIMITS } from './limits.js';

export const ADAPTER_NAME = '@bsn/adapter-fabric';
export const ADAPTER_VERSION = '0.1.0';
export const FRAMEWORK = 'fabric';

/** Exactly what this adapter implements (the manifest lists the same; a test checks they agree). */
export const CLAIMED_CAPABILITIES: Capability[] = [
  'describe',
  'identity.derive',
  'identity.bind',
  'keys.hosted',
  'keys.user',
  'gateway.submit',
  'gateway.evaluate',
  'gateway.events',
  'gateway.lookup',
  'gateway.health',
  'lifecycle.create',
  'lifecycle.upgrade',
  'lifecycle.members',
  'lifecycle.freeze',
  'lifecycle.isolation',
  'lifecycle.dedicated',
  'kv.preset',
  'interchain.emit',
  'interchain.evidence',
  'interchain.verify',
];

/**
 * Fabric 2.5 (the Gateway service, which this adapter needs, arrived in 2.4; 2.5 is the LTS
 * line it is tested on: v2.5.9 built from the Go module proxy).
 */
export const FRAMEWORK_VERSIONS = ['>=2.5.0 <3.0.0'];

export function describeAdapter(): AdapterDescription {
  return {
    framework: FRAMEWORK,
    adapter: { name: ADAPTER_NAME, version: ADAPTER_VERSION },
    adapterApi: ADAPTER_API_VERSION,
    frameworkVersions: [...FRAMEWORK_VERSIONS],
    keyAlgorithms: ['secp256r1'],
    finality: { kind: 'immediate' },
    capabilities: [...CLAIMED_CAPABILITIES],
    limits: { ...LIMITS },
  };
}
