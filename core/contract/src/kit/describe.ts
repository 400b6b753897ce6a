/**
 * `describe()` from the plugin's own manifest: name, version, framework, the versions of the
 * chain software, key algorithms and capabilities are written once, in `bsn-plugin.json`,
 * which the host checks and the certificate names; the adapter adds what only it knows at
 * run time (its finality on this network and its limits).
 */
import { readFileSync } from 'node:fs';
import type { AdapterDescription, AdapterLimits, Capability, FinalityModel } from '../contract/describe.js';
import type { KeyAlgorithm } from '../contract/keys.js';
import { ADAPTER_API_VERSION } from '../contract/version.js';

/** The manifest fields `describe()` reports. */
export interface DescribedManifest {
  name: string;
  version: string;
  framework: string;
  frameworkVersions: string[];
  keyAlgorithms: KeyAlgorithm[];
  capabilities: Capability[];
}

/**
 * Reads the manifest a module ships beside it: `new URL('../bsn-plugin.json', import.meta.url)`
 * names it from both `src/` and `dist/`.
 */
export function readPluginManifest(url: URL): DescribedManifest {
  return JSON.parse(readFileSync(url, 'utf8')) as DescribedManifest;
}

export function describeFromManifest(
  manifest: DescribedManifest,
  runtime: { finality: FinalityModel; limits: AdapterLimits },
): AdapterDescription {
  return {
    framework: manifest.framework,
    adapter: { name: manifest.name, version: manifest.version },
    adapterApi: ADAPTER_API_VERSION,
    frameworkVersions: [...manifest.frameworkVersions],
    keyAlgorithms: [...manifest.keyAlgorithms],
    finality: { ...runtime.finality },
    capabilities: [...manifest.capabilities],
    limits: { ...runtime.limits },
  };
}
