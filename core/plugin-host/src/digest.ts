/**
 * A plugin's content digest: one SHA-256 naming exactly the files it ships, so a
 * certificate can vouch for one build and any later change is detected.
 *
 * Which files (paths relative to the plugin folder, `/` separators):
 * - never anything inside a `node_modules/` or `.git/` directory (at any depth), never the
 *   certificate `bsn-certificate.json` or its log evidence `bsn-certificate.log.json` at the
 *   folder root (both are written after certification), and only regular files
 *   (symbolic links, sockets… are skipped, so they are not covered);
 * - when the manifest has `files` globs (see `glob.ts`): the files they select, plus
 *   `bsn-plugin.json` and `package.json` at the root, which are always covered (the
 *   manifest decides what is loaded, so it must be certified too);
 * - otherwise every file except test files (a name containing `.test.`, e.g. `a.test.ts`).
 *
 * - and everything the plugin runs beyond its folder: every package of its production
 *   dependency closure (see `dependencies.ts`), each package's files chosen by the same rules
 *   with its own package.json `files`, under the path `deps/<name>@<version>/<path>` — so a
 *   file swapped in a dependency after certification changes the digest. (Hashing the resolved
 *   tree, rather than bundling the plugin at certification, keeps what runs exactly what was
 *   certified: no bundler between the tested code and the loaded code, no lost assets.)
 *
 * The digest (format v2): paths sorted by their UTF-8 bytes; SHA-256 over
 * `"bsn-plugin-digest:v2\n"` followed, per file, by `path \0 size \0 sha256(content) \n`
 * (size in decimal bytes, the file hash as lowercase hex). Written `sha256:<hex>`.
 *
 * Hashing a closure is tens of megabytes; a `DigestCache` keeps each file's hash with the
 * metadata a change updates (size, mtime, ctime, inode), so an unchanged file is not read
 * again. Writing a file sets its ctime to now, which no unprivileged process can set back.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { dependencyClosure } from './dependencies.js';
import { compileFileGlobs } from './glob.js';

export const MANIFEST_FILE = 'bsn-plugin.json';
export const CERTIFICATE_FILE = 'bsn-certificate.json';
/** The certificate's inclusion evidence from a transparency log, written beside it by `bsn certify --log`. */
export const CERTIFICATE_LOG_FILE = 'bsn-certificate.log.json';
/** Written into the folder after certification, so never covered. */
const NOT_COVERED = new Set([CERTIFICATE_FILE, CERTIFICATE_LOG_FILE]);
const DIGEST_HEADER = 'bsn-plugin-digest:v2\n';
const SKIPPED_DIRS = new Set(['node_modules', '.git']);
const ALWAYS_COVERED = new Set([MANIFEST_FILE, 'package.json']);
const READ_CONCURRENCY = 64;

export interface PluginDigest {
  /** `sha256:` + 64 lowercase hex digits. */
  digest: string;
  /** How many files it covers, dependencies' included. */
  files: number;
  /** The covered paths of the plugin's own folder, in digest order. */
  paths: string[];
  /** How many dependency packages it covers. */
  dependencies: number;
}

/** File hashes kept between digests, keyed by absolute path and the metadata any write changes. */
export interface DigestCache {
  get(path: string, key: string): string | undefined;
  set(path: string, key: string, sha256: string): void;
}

/** A cache for one process (the host keeps one across verifications). */
export function memoryDigestCache(): DigestCache {
  const entries = new Map<string, { key: string; sha256: string }>();
  return {
    get: (path, key) => (entries.get(path)?.key === key ? entries.get(path)!.sha256 : undefined),
    set: (path, key, sha256) => void entries.set(path, { key, sha256 }),
  };
}

export interface DigestOptions {
  /** Cover the production dependency closure too (default true; false for a folder that is not a plugin). */
  dependencies?: boolean;
  cache?: DigestCache;
}

async function walk(root: string): Promise<string[]> {
  const found: string[] = [];
  async function visit(relative: string): Promise<void> {
    const entries = await readdir(relative ? join(root, relative) : root, { withFileTypes: true });
    const subdirs: Promise<void>[] = [];
    for (const entry of entries) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) subdirs.push(visit(path));
      } else if (entry.isFile()) {
        found.push(path);
      }
    }
    await Promise.all(subdirs);
  }
  await visit('');
  return found;
}

/** The files the digest covers, sorted by UTF-8 bytes (see the module comment for the rule). */
export async function pluginFiles(folder: string, globs?: readonly string[]): Promise<string[]> {
  const all = await walk(folder);
  const selected = globs && globs.length > 0 ? compileFileGlobs(globs) : undefined;
  const keep = all.filter((path) => {
    if (NOT_COVERED.has(path)) return false;
    if (selected) return ALWAYS_COVERED.has(path) || selected(path);
    const base = path.slice(path.lastIndexOf('/') + 1);
    return !base.includes('.test.');
  });
  const keyed = keep.map((path) => ({ path, bytes: Buffer.from(path, 'utf8') }));
  keyed.sort((a, b) => Buffer.compare(a.bytes, b.bytes));
  return keyed.map((k) => k.path);
}

/** One file to cover: its path in the digest, and where it is. */
interface Covered {
  path: string;
  file: string;
}

/**
 * Computes the content digest of the plugin in `folder`. `globs` is the manifest's `files`
 * list, if any. Files are read in parallel (at most 64 at a time).
 */
export async function computePluginDigest(folder: string, globs?: readonly string[], options: DigestOptions = {}): Promise<PluginDigest> {
  const own = await pluginFiles(folder, globs);
  const covered: Covered[] = own.map((path) => ({ path, file: join(folder, path) }));
  const dependencies = options.dependencies === false ? [] : dependencyClosure(folder);
  for (const dep of dependencies) {
    for (const path of await pluginFiles(dep.dir, dep.files))
      covered.push({ path: `deps/${dep.name}@${dep.version}/${path}`, file: join(dep.dir, path) });
  }
  const keyed = covered.map((c) => ({ ...c, bytes: Buffer.from(c.path, 'utf8') }));
  keyed.sort((a, b) => Buffer.compare(a.bytes, b.bytes));
  const lines: string[] = new Array<string>(keyed.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < keyed.length) {
      const index = next++;
      const { path, file } = keyed[index]!;
      lines[index] = `${path}\0${await fileLine(file, options.cache)}\n`;
    }
  }
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, keyed.length) }, worker));
  const hash = createHash('sha256').update(DIGEST_HEADER, 'utf8');
  for (const line of lines) hash.update(line, 'utf8');
  return { digest: `sha256:${hash.digest('hex')}`, files: keyed.length, paths: own, dependencies: dependencies.length };
}

/** `size \0 sha256(content)` of one file, from the cache when nothing about the file changed. */
async function fileLine(file: string, cache: DigestCache | undefined): Promise<string> {
  if (cache) {
    const s = await stat(file, { bigint: true });
    const key = `${s.size}:${s.mtimeNs}:${s.ctimeNs}:${s.ino}`;
    const known = cache.get(file, key);
    if (known) return known;
    const content = await readFile(file);
    const line = `${content.length}\0${createHash('sha256').update(content).digest('hex')}`;
    cache.set(file, key, line);
    return line;
  }
  const content = await readFile(file);
  return `${content.length}\0${createHash('sha256').update(content).digest('hex')}`;
}
