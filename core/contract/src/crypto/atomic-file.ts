import { randomBytes } from 'node:crypto';
import { link, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ConflictError } from '../errors/errors.js';

export interface AtomicWriteOptions {
  /** File mode of the result. Secrets use 0o600. */
  mode?: number;
  /** Replace an existing file. Off by default: silently replacing a key file loses the key. */
  overwrite?: boolean;
}

/**
 * Writes a file so readers see either the old content or the complete new one, never a
 * torn write: the data goes to a temp file in the same directory (same filesystem), is
 * fsynced, then renamed over the target, or hard-linked to it when the target must not
 * exist (link fails with EEXIST atomically, unlike an exists-check followed by a write).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const mode = options.mode ?? 0o644;
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx', mode);
  try {
    // The umask may have narrowed the mode at creation; set it exactly.
    await handle.chmod(mode);
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    if (options.overwrite) {
      await rename(tmp, path);
      return;
    }
    try {
      await link(tmp, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST')
        throw new ConflictError(`${path} exists already; refusing to overwrite it`, { field: 'path' });
      throw err;
    }
    await unlink(tmp);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}
