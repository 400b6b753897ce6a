/**
 * Where a city node keeps the last tree head it accepted from a log: the anchor every later
 * head must be consistent with. Losing it only costs that protection until the next head
 * (trust on first use again); a tampered file is caught, because it is re-verified on load.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidInputError, writeFileAtomic } from '@bsn/contract';
import type { LogPublicKey, SignedTreeHead } from './tree-head.js';

export interface SthStore {
  /** The last head saved, or undefined when none was. Throws when the stored head is unreadable. */
  load(): Promise<SignedTreeHead | undefined>;
  save(sth: SignedTreeHead): Promise<void>;
}

/** A store in memory: tests, and nodes that re-anchor on every start. */
export function memorySthStore(initial?: SignedTreeHead): SthStore {
  let current = initial;
  return {
    load: async () => current,
    save: async (sth) => {
      current = sth;
    },
  };
}

/** The file a data dir keeps a log's last head in: one file per pinned log key. */
export function sthStorePath(dataDir: string, log: LogPublicKey): string {
  return join(dataDir, 'transparency', `${log.keyId.replace(/[^a-z0-9]/gi, '-')}.sth.json`);
}

/** A store in `<dataDir>/transparency/<log key id>.sth.json`, replaced atomically on save. */
export function fileSthStore(dataDir: string, log: LogPublicKey): SthStore {
  const path = sthStorePath(dataDir, log);
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
      try {
        return JSON.parse(text) as SignedTreeHead;
      } catch (err) {
        throw new InvalidInputError(`${path} is not JSON: ${(err as Error).message}`, { field: '/' });
      }
    },
    async save(sth) {
      await mkdir(join(dataDir, 'transparency'), { recursive: true });
      await writeFileAtomic(path, `${JSON.stringify(sth, null, 2)}\n`, { overwrite: true });
    },
  };
}
