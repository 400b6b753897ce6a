import { describeFromManifest, readPluginManifest, type AdapterDescription } from '@bsn/contract';
import { LIMITS } from './limits.js';

export const FRAMEWORK = 'fabric';

/**
 * Name, version, capabilities and Fabric versions are written once, in bsn-plugin.json. The
 * versions start at 2.5: the Gateway service this adapter needs arrived in 2.4, and 2.5 is the
 * LTS line it is tested on.
 */
export const MANIFEST = readPluginManifest(new URL('../bsn-plugin.json', import.meta.url));

export function describeAdapter(): AdapterDescription {
  return describeFromManifest(MANIFEST, { finality: { kind: 'immediate' }, limits: LIMITS });
}
