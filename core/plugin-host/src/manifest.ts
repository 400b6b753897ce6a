import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Capability, KeyAlgorithm } from '@bsn/contract';
import { formatViolations, validateSchema } from '@bsn/contract';
import { MANIFEST_FILE } from './digest.js';
import { PluginRefusedError } from './errors.js';

/** `bsn-plugin.json`, validated by `schemas/plugin-manifest.schema.json`. */
export interface PluginManifest {
  schemaVersion: 1;
  /** npm-style name, e.g. `@bsn/adapter-ethereum`. */
  name: string;
  /** semver */
  version: string;
  framework: string;
  /** Semver range of the adapter contract implemented, checked against `ADAPTER_API_VERSION`. */
  adapterApi: string;
  /** Relative path of the ES module whose default export is the AdapterFactory. */
  entry: string;
  /** Relative path of the ES module whose default export is the plugin's DevnetProvider. */
  devnets?: string;
  capabilities: Capability[];
  keyAlgorithms: KeyAlgorithm[];
  frameworkVersions: string[];
  /** Relative path of a JSON Schema for the plugin's NetworkConfig. */
  configSchema?: string;
  /** Globs of the shipped files the content digest covers (see `digest.ts`). */
  files?: string[];
}

/**
 * Checks a parsed manifest; throws PluginRefusedError('manifest-invalid') listing every
 * violation as `manifest /field: what was expected (got what)`.
 */
export function validateManifest(value: unknown, pluginLabel: string): PluginManifest {
  const result = validateSchema('plugin-manifest', value);
  if (result.ok) return value as PluginManifest;
  const named = typeof (value as { name?: unknown } | null)?.name === 'string' ? (value as { name: string }).name : pluginLabel;
  const lines = formatViolations('manifest', result.violations);
  throw new PluginRefusedError('manifest-invalid', named, `${MANIFEST_FILE} is invalid:\n${lines}`, {
    field: result.violations[0]?.pointer || '/',
  });
}

/** Reads and validates `<folder>/bsn-plugin.json`. */
export async function readManifest(folder: string, pluginLabel = folder): Promise<PluginManifest> {
  const path = join(folder, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new PluginRefusedError(
      'manifest-invalid',
      pluginLabel,
      code === 'ENOENT' ? `no ${MANIFEST_FILE} in ${folder}` : `cannot read ${path}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new PluginRefusedError('manifest-invalid', pluginLabel, `${path} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  return validateManifest(parsed, pluginLabel);
}

/** Strips a leading `./` from a manifest path (the schema allows one). */
export function normaliseRelativePath(path: string): string {
  return path.startsWith('./') ? path.slice(2) : path;
}
