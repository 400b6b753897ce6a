/** Finds the chain targets a plugin contributes (its manifest's `devnets` module). */
import { pathToFileURL } from 'node:url';
import type { Devnet, DevnetProvider } from '@bsn/contract';
import { checkEntryFile } from './loader.js';
import { readManifest } from './manifest.js';

export class DevnetNotFoundError extends Error {
  override readonly name = 'DevnetNotFoundError';
}

function isDevnetProvider(value: unknown): value is DevnetProvider {
  const v = value as Partial<DevnetProvider> | null;
  return typeof v === 'object' && v !== null && typeof v.devnets === 'object' && v.devnets !== null && typeof v.local === 'string';
}

/** The plugin's DevnetProvider, or undefined when its manifest names none. */
export async function loadDevnetProvider(folder: string): Promise<DevnetProvider | undefined> {
  const manifest = await readManifest(folder);
  if (!manifest.devnets) return undefined;
  const file = await checkEntryFile(folder, manifest.devnets);
  if (!file.ok) throw new DevnetNotFoundError(`${manifest.name}: devnets module: ${file.why}`);
  const mod = (await import(pathToFileURL(file.path).href)) as { default?: unknown };
  if (!isDevnetProvider(mod.default)) {
    throw new DevnetNotFoundError(`${manifest.name}: ${manifest.devnets} does not export a DevnetProvider ({ devnets, local }) as default`);
  }
  return mod.default;
}

/** The names of the devnets a plugin contributes (empty when none). */
export async function devnetNames(folder: string): Promise<string[]> {
  return Object.keys((await loadDevnetProvider(folder))?.devnets ?? {});
}

/** Configures the plugin's devnet called `name`; throws DevnetNotFoundError naming the known ones. */
export async function pluginDevnet(folder: string, name: string): Promise<Devnet> {
  const provider = await loadDevnetProvider(folder);
  const make = provider?.devnets[name];
  if (!make) {
    const known = Object.keys(provider?.devnets ?? {});
    throw new DevnetNotFoundError(
      `the plugin in ${folder} contributes no devnet "${name}" (${known.length ? `it has ${known.join(', ')}` : 'it contributes none'})`,
    );
  }
  return make();
}
