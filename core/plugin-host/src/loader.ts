/** Imports a plugin's entry module and finds its AdapterFactory. */
import { realpath, stat } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AdapterFactory } from '@bsn/contract';

/** Why an entry could not be used, or the factory. */
export type EntryResult = { ok: true; factory: AdapterFactory; path: string } | { ok: false; why: string };

export function isAdapterFactory(value: unknown): value is AdapterFactory {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { connect?: unknown }).connect === 'function'
  );
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'function') return `a function${value.name ? ` (${value.name})` : ''}`;
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    return keys.length ? `an object with ${keys.slice(0, 6).join(', ')}${keys.length > 6 ? ', …' : ''}` : 'an empty object';
  }
  return `a ${typeof value}`;
}

/**
 * Checks that `entry` is a regular file inside `folder` (after resolving symlinks), without
 * importing it.
 */
export async function checkEntryFile(folder: string, entry: string): Promise<{ ok: true; path: string } | { ok: false; why: string }> {
  const path = resolve(folder, entry);
  let real: string;
  try {
    real = await realpath(path);
    if (!(await stat(real)).isFile()) return { ok: false, why: `entry ${entry} is not a file` };
  } catch {
    return { ok: false, why: `entry ${entry} does not exist in ${folder}` };
  }
  const rel = relative(await realpath(folder), real);
  if (rel.startsWith(`..${sep}`) || rel === '..' || resolve(rel) === rel) {
    return { ok: false, why: `entry ${entry} resolves outside the plugin folder (${real})` };
  }
  return { ok: true, path: real };
}

/**
 * Imports the entry and returns its factory: the default export when it is an object with
 * a `connect` function, else a named `createAdapterFactory` export — an AdapterFactory
 * itself or a function returning one.
 */
export async function importEntry(folder: string, entry: string): Promise<EntryResult> {
  const file = await checkEntryFile(folder, entry);
  if (!file.ok) return file;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file.path).href)) as Record<string, unknown>;
  } catch (err) {
    return { ok: false, why: `cannot import entry ${entry}: ${(err as Error)?.message ?? String(err)}` };
  }
  if (isAdapterFactory(mod['default'])) return { ok: true, factory: mod['default'], path: file.path };
  const named = mod['createAdapterFactory'];
  if (isAdapterFactory(named)) return { ok: true, factory: named, path: file.path };
  if (typeof named === 'function') {
    let made: unknown;
    try {
      made = await (named as () => unknown)();
    } catch (err) {
      return { ok: false, why: `entry ${entry}: createAdapterFactory() threw: ${(err as Error)?.message ?? String(err)}` };
    }
    if (isAdapterFactory(made)) return { ok: true, factory: made, path: file.path };
    return {
      ok: false,
      why: `entry ${entry}: createAdapterFactory() returned ${describeValue(made)}, not an AdapterFactory (an object with a connect function)`,
    };
  }
  return {
    ok: false,
    why: `entry ${entry} does not export an AdapterFactory as default (an object with a connect(network, context) function); its default export is ${describeValue(mod['default'])}`,
  };
}
