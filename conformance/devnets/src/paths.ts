import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest folder up from here whose package.json declares workspaces. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && 'workspaces' in JSON.parse(readFileSync(pkg, 'utf8'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root (a package.json with workspaces)');
    dir = parent;
  }
}

/** The ignored cache where chain binaries are built (override with BSN_CACHE_DIR). */
export function cacheDir(...parts: string[]): string {
  return join(process.env.BSN_CACHE_DIR ?? join(repoRoot(), '.cache'), ...parts);
}
