/**
 * A plugin's network config is checked against the schema the plugin ships (`configSchema` in
 * its manifest) before the adapter sees it, so adapters check by hand only what a schema
 * cannot say. A refusal names every violating field as a JSON pointer.
 */
import { readFile } from 'node:fs/promises';
import type { AdapterContext, AdapterFactory, NetworkConfig } from '@bsn/contract';
import { InvalidInputError, compileSchema, formatViolations } from '@bsn/contract';
import { checkEntryFile } from './loader.js';
import type { PluginManifest } from './manifest.js';

export type NetworkConfigCheck = (network: NetworkConfig) => void;

/** The check for `manifest.configSchema`, or none when the plugin ships no schema. */
export async function networkConfigCheck(folder: string, manifest: PluginManifest): Promise<NetworkConfigCheck | undefined> {
  if (!manifest.configSchema) return undefined;
  const file = await checkEntryFile(folder, manifest.configSchema);
  if (!file.ok) throw new Error(`configSchema: ${file.why.replace(/^entry /, '')}`);
  let validate: ReturnType<typeof compileSchema>;
  try {
    validate = compileSchema(JSON.parse(await readFile(file.path, 'utf8')) as object);
  } catch (error) {
    throw new Error(`configSchema ${manifest.configSchema} is not a usable JSON Schema: ${(error as Error).message}`);
  }
  return (network) => {
    const result = validate(network);
    if (result.ok) return;
    const name = typeof network?.name === 'string' ? network.name : 'the network';
    throw new InvalidInputError(
      `network config of ${name} does not match ${manifest.name}'s configSchema:\n${formatViolations('network', result.violations)}`,
      {
        stage: 'validate',
        field: result.violations[0]?.pointer || '/',
      },
    );
  };
}

/** The factory with the config check in front of `connect()`. */
export function checkedFactory(factory: AdapterFactory, check: NetworkConfigCheck | undefined): AdapterFactory {
  if (!check) return factory;
  return {
    async connect(network: NetworkConfig, context: AdapterContext) {
      check(network);
      return factory.connect(network, context);
    },
  };
}
