/**
 * Where a plugin lives: a folder path, or the name of an installed npm package (resolved
 * from `cwd` the way Node resolves it, to the package's folder).
 */
import { existsSync, statSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { NotFoundError } from '@bsn/contract';
import { MANIFEST_FILE } from './digest.js';

export interface ResolvedPluginSource {
  /** What was asked for. */
  spec: string;
  kind: 'path' | 'package';
  /** Absolute, symlinks resolved. */
  folder: string;
}

const PACKAGE_NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

function looksLikePath(spec: string): boolean {
  return (
    isAbsolute(spec) ||
    spec === '.' ||
    spec === '..' ||
    spec.startsWith('./') ||
    spec.startsWith('../') ||
    spec.startsWith('.\\') ||
    spec.startsWith('..\\') ||
    spec.startsWith('~')
  );
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function packageFolder(name: string, cwd: string): string | undefined {
  const require = createRequire(join(cwd, '__bsn_resolve__.js'));
  for (const target of [`${name}/${MANIFEST_FILE}`, `${name}/package.json`]) {
    try {
      return dirname(require.resolve(target));
    } catch {
      // not exported, or not there: try the next way
    }
  }
  // A package whose `exports` hides both files: walk the node_modules folders Node would.
  for (const dir of require.resolve.paths(name) ?? []) {
    const candidate = join(dir, name);
    if (existsSync(join(candidate, MANIFEST_FILE)) || existsSync(join(candidate, 'package.json'))) return candidate;
  }
  return undefined;
}

/** Resolves a folder path or package name; NotFoundError when neither exists. */
export async function resolvePluginSource(spec: string, options: { cwd?: string } = {}): Promise<ResolvedPluginSource> {
  const cwd = options.cwd ?? process.cwd();
  if (!spec) throw new NotFoundError('no plugin given (a folder path or an installed package name)');
  const asPath = resolve(cwd, spec);
  if (looksLikePath(spec) || !PACKAGE_NAME.test(spec) || isDirectory(asPath)) {
    if (!isDirectory(asPath)) throw new NotFoundError(`no plugin folder at ${asPath}`);
    return { spec, kind: 'path', folder: await realpath(asPath) };
  }
  const folder = packageFolder(spec, cwd);
  if (!folder) throw new NotFoundError(`plugin package ${spec} is not installed (looked from ${cwd}); give a folder path or install it`);
  return { spec, kind: 'package', folder: await realpath(folder) };
}
