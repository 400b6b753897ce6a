/**
 * What a plugin runs beyond its own folder: the packages its `dependencies` (and installed
 * `optionalDependencies`) resolve to, transitively, found the way Node finds them (the nearest
 * `node_modules/<name>` up from the package that depends on it). `devDependencies` are not
 * run by a node that loads the plugin (devnets and tests use them), so they are not covered.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A package the plugin depends on is not installed where Node would look for it. */
export class MissingDependencyError extends Error {
  constructor(
    readonly dependent: string,
    readonly dependency: string,
  ) {
    super(`${dependent} depends on ${dependency}, which is not installed (run npm install where the plugin is installed)`);
    this.name = 'MissingDependencyError';
  }
}

export interface ResolvedDependency {
  name: string;
  version: string;
  /** The package's folder, symlinks resolved. */
  dir: string;
  /** Its package.json `files`, when it has them (what npm would install of it). */
  files?: string[];
}

function packageJson(dir: string): {
  name?: string;
  version?: string;
  files?: string[];
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
} {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
}

/** The folder `name` resolves to from the package in `from`, or undefined when it is not installed. */
function resolvePackage(from: string, name: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Every package the plugin in `folder` runs, each once, sorted by name and version. A
 * dependency that is not installed is an error (the plugin could not run), except an
 * optional one.
 */
export function dependencyClosure(folder: string): ResolvedDependency[] {
  const found = new Map<string, ResolvedDependency>();
  const visit = (dir: string) => {
    const pkg = packageJson(dir);
    const wanted = [
      ...Object.keys(pkg.dependencies ?? {}).map((name) => ({ name, optional: false })),
      ...Object.keys(pkg.optionalDependencies ?? {}).map((name) => ({ name, optional: true })),
    ];
    for (const { name, optional } of wanted) {
      const resolved = resolvePackage(dir, name);
      if (!resolved) {
        if (optional) continue;
        throw new MissingDependencyError(pkg.name ?? dir, name);
      }
      if (found.has(resolved)) continue;
      const dep = packageJson(resolved);
      found.set(resolved, { name, version: dep.version ?? '0.0.0', dir: resolved, ...(dep.files && { files: dep.files }) });
      visit(resolved);
    }
  };
  const root = realpathSync(folder);
  // A bare folder (no package.json) declares no dependencies: it runs only its own files.
  if (existsSync(join(root, 'package.json'))) visit(root);
  return [...found.values()].sort((a, b) => (a.name === b.name ? a.version.localeCompare(b.version) : a.name < b.name ? -1 : 1));
}
