/**
 * A plugin's content digest: one SHA-256 naming exactly the files it ships, so a
 * certificate can vouch for one build and any later change is detected.
 *
 * Which files (paths relative to the plugin folder, `/` separators):
 * - never anything inside a `node_modules/` or `.git/` directory (at any depth), never the
 *   certificate `bsn-certificate.json` at the folder root, and only regular files
 *   (symbolic links, sockets… are skipped, so they are not covered);
 * - when the manifest has `files` globs (see `glob.ts`): the files they select, plus
 *   `bsn-plugin.json` and `package.json` at the root, which are always covered (the
 *   manifest decides what is loaded, so it must be certified too);
 * - otherwise every file except test files (a name containing `.test.`, e.g. `a.test.ts`).
 *
 * The digest (format v1): paths sorted by their UTF-8 bytes; SHA-256 over
 * `"bsn-plugin-digest:v1\n"` followed, per file, by `path \0 size \0 sha256(content) \n`
 * (size in decimal bytes, the file hash as lowercase hex). Written `sha256:<hex>`.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compileFileGlobs } from './glob.js';

export const MANIFEST_FILE = 'bsn-plugin.json';
export const CERTIFICATE_FILE = 'bsn-certificate.json';
const DIGEST_HEADER = 'bsn-plugin-digest:v1\n';
const SKIPPED_DIRS = new Set(['node_modules', '.git']);
const ALWAYS_COVERED = new Set([MANIFEST_FILE, 'package.json']);
const READ_CONCURRENCY = 64;

export interface PluginDigest {
  /** `sha256:` + 64 lowercase hex digits. */
  digest: string;
  /** How many files it covers. */
  files: number;
  /** The covered paths, in digest order. */
  paths: string[];
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
    if (path === CERTIFICATE_FILE) return false;
    if (selected) return ALWAYS_COVERED.has(path) || selected(path);
    const base = path.slice(path.lastIndexOf('/') + 1);
    return !base.includes('.test.');
  });
  const keyed = keep.map((path) => ({ path, bytes: Buffer.from(path, 'utf8') }));
  keyed.sort((a, b) => Buffer.compare(a.bytes, b.bytes));
  return keyed.map((k) => k.path);
}

/**
 * Computes the content digest of the plugin in `folder`. `globs` is the manifest's
 * `files` list, if any. Files are read in parallel (at most 64 at a time).
 */
export async function computePluginDigest(folder: string, globs?: readonly string[]): Promise<PluginDigest> {
  const paths = await pluginFiles(folder, globs);
  const lines: string[] = new Array<string>(paths.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < paths.length) {
      const index = next++;
      const path = paths[index]!;
      const content = await readFile(join(folder, path));
      lines[index] = `${path}\0${content.length}\0${createHash('sha256').update(content).digest('hex')}\n`;
    }
  }
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, paths.length) }, worker));
  const hash = createHash('sha256').update(DIGEST_HEADER, 'utf8');
  for (const line of lines) hash.update(line, 'utf8');
  return { digest: `sha256:${hash.digest('hex')}`, files: paths.length, paths };
}
