/**
 * What a confined plugin process may touch, as Node's permission-model flags (Node 20:
 * `--experimental-permission`, one `--allow-fs-read=<path>` / `--allow-fs-write=<path>` per path —
 * Node 20.20 does not split a comma-separated list — and `--allow-child-process`,
 * `--allow-worker`, `--allow-addons`, `--allow-wasi`, each off unless granted).
 *
 * Reads: the runner's own files, the plugin folder, every package of its dependency closure
 * (`dependencyClosure`) and the `node_modules/<name>` links Node resolves them through, the
 * BSN schemas, its data dirs and any extra paths the node config names. Writes: its data dirs.
 * Nothing else — not the node's keystore, its registry, its config, or another plugin's data.
 *
 * The permission model checks the path asked for, not where a symbolic link leads, so a link
 * inside an allowed folder to a file outside it would open that file: `escapingLinks` finds
 * such links in the plugin folder and data dirs, and the plugin is not started while one exists
 * (a confined plugin cannot make links: `fs.symlink` needs unrestricted file access).
 */
import { existsSync, lstatSync, readFileSync, realpathSync } from 'node:fs';
import { lstat, readdir, readlink, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { schemasDir } from '@bsn/contract';
import { dependencyClosure } from '../dependencies.js';

/** Capabilities beyond files, off by default; granted only when the manifest declares them and the node allows them. */
export const GRANTS = ['child-process', 'worker', 'addons', 'wasi'] as const;
export type Grant = (typeof GRANTS)[number];

const GRANT_FLAGS: Record<Grant, string> = {
  'child-process': '--allow-child-process',
  worker: '--allow-worker',
  addons: '--allow-addons',
  wasi: '--allow-wasi',
};

/** Environment variables a plugin process inherits from the node; every other one (the passphrase!) stays out. */
export const INHERITED_ENV = ['TZ', 'LANG', 'LC_ALL', 'NODE_ENV'] as const;

export interface ConfinementOptions {
  /** The plugin folder, symlinks resolved. */
  folder: string;
  /** Folders the plugin may write (and read): its data dirs. */
  dataDirs?: readonly string[];
  /** More read-only paths (files or folders). */
  readPaths?: readonly string[];
  grants?: readonly Grant[];
  /** The runner script; default the one beside this module (or in `dist/` when run from source). */
  runner?: string;
  /** More environment variables for the plugin. */
  env?: Readonly<Record<string, string>>;
}

export interface Confinement {
  runner: string;
  reads: string[];
  writes: string[];
  grants: Grant[];
  /** The node flags the child starts with. */
  execArgv: string[];
  env: Record<string, string>;
}

/** The built runner: beside this module, or under `dist/` when this module runs from `src/` (tests). */
export function defaultRunner(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'runner.js'), join(here, '..', '..', 'dist', 'isolation', 'runner.js')];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`the plugin runner is not built (looked for ${candidates.join(', ')}): run npx tsc -b`);
  return found;
}

/** `node_modules/<name>` paths that are links, through which Node reaches a package of the closure. */
function linkPaths(dirs: readonly string[]): string[] {
  const links = new Set<string>();
  for (const dir of dirs) {
    let pkg: { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    try {
      pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as typeof pkg;
    } catch {
      continue;
    }
    for (const name of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
      const found = findPackage(dir, name);
      if (found && found.link) links.add(found.path);
    }
  }
  return [...links];
}

function findPackage(from: string, name: string): { path: string; real: string; link: boolean } | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) {
      return { path: candidate, real: realpathSync(candidate), link: lstatSync(candidate).isSymbolicLink() };
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** The permission flags and environment of a confined plugin process. */
export function confinement(options: ConfinementOptions): Confinement {
  const runner = options.runner ?? defaultRunner();
  const runnerDir = dirname(runner);
  const folder = realpathSync(options.folder);
  const closure = dependencyClosure(folder);
  const packageDirs = [folder, ...closure.map((d) => d.dir)];
  const schemas = safeSchemasDir();
  const writes = unique((options.dataDirs ?? []).map((d) => resolve(d)));
  const reads = unique([
    runnerDir,
    // the runner imports the entry loader from its parent folder
    join(runnerDir, '..', 'loader.js'),
    ...packageDirs,
    ...linkPaths(packageDirs),
    ...(schemas ? [schemas] : []),
    ...writes,
    ...(options.readPaths ?? []).map((p) => resolve(p)),
  ]).map((p) => resolve(p));
  const grants = [...new Set(options.grants ?? [])];
  const permissionFlag = process.allowedNodeEnvironmentFlags.has('--permission') ? '--permission' : '--experimental-permission';
  const execArgv = [
    permissionFlag,
    ...reads.map((p) => `--allow-fs-read=${p}`),
    ...writes.map((p) => `--allow-fs-write=${p}`),
    ...grants.map((g) => GRANT_FLAGS[g]),
    '--disable-warning=ExperimentalWarning',
  ];
  const env: Record<string, string> = {};
  for (const name of INHERITED_ENV) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  if (schemas) env['BSN_SCHEMAS_DIR'] = schemas;
  Object.assign(env, options.env ?? {});
  return { runner, reads, writes, grants, execArgv, env };
}

function safeSchemasDir(): string | undefined {
  try {
    return schemasDir();
  } catch {
    return undefined;
  }
}

function unique(paths: string[]): string[] {
  return [...new Set(paths)];
}

/** Whether `path` is `root` or inside it. */
export function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Symbolic links under `roots` (not followed) that lead outside `allowed` — dangling ones judged
 * by where they point. Each as `link → target`.
 */
export async function escapingLinks(roots: readonly string[], allowed: readonly string[]): Promise<string[]> {
  const allowedReal = allowed.map((p) => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  });
  const inside = (p: string) => allowedReal.some((root) => isInside(p, root));
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isSymbolicLink()) {
        let target: string;
        try {
          target = await realpath(path);
        } catch {
          target = resolve(dir, await readlink(path));
        }
        if (!inside(target)) found.push(`${path} → ${target}`);
      } else if (entry.isDirectory()) {
        await walk(path);
      }
    }
  };
  for (const root of roots) {
    if ((await lstat(root).catch(() => undefined))?.isDirectory()) await walk(root);
  }
  return found;
}
