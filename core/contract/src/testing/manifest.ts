import { readFileSync } from 'node:fs';
import type { AdapterDescription } from '../contract/describe.js';
import { ADAPTER_API_VERSION } from '../contract/version.js';

/** The part of `describe()` the manifest decides (all but the finality and the limits). */
export type ManifestDescribed = Omit<AdapterDescription, 'finality' | 'limits'>;

/**
 * What `describe()` must report from the manifest at `manifestUrl`, read from the file itself
 * (not through the kit's `describeFromManifest`, which it checks): an adapter's test adds its
 * finality and limits and compares, e.g.
 * `expect(adapter.describe()).toEqual({ ...describedByManifest(url), finality, limits: LIMITS })`.
 */
export function describedByManifest(manifestUrl: URL): ManifestDescribed {
  const m = JSON.parse(readFileSync(manifestUrl, 'utf8')) as Record<string, unknown> & { name: string; version: string };
  return {
    framework: m['framework'] as string,
    adapter: { name: m.name, version: m.version },
    adapterApi: ADAPTER_API_VERSION,
    frameworkVersions: m['frameworkVersions'] as string[],
    keyAlgorithms: m['keyAlgorithms'] as AdapterDescription['keyAlgorithms'],
    capabilities: m['capabilities'] as AdapterDescription['capabilities'],
  };
}
