/**
 * A file-backed, append-only transparency log of plugin certificates and revocations.
 *
 * A log is a folder:
 *   log.json      { v: 1, name, key: <log public key>, certifiers: [trusted certifier entries] }
 *   log.pub.json  the log's public key — what city nodes and auditors pin
 *   log.key.json  the log's signing key, encrypted (keystore format), written by `bsn log new`
 *   leaves.jsonl  one leaf per line: the canonical JSON of { kind, document }
 *   sth.jsonl     every tree head the log signed, oldest first, one per line
 *
 * Every append is fsynced before the tree head that covers it is signed, so a head is never
 * signed over a leaf a crash could lose (that would look exactly like a forked log). The log
 * signs a head after every append, so every size has a head and an audit can name the exact
 * leaf that was changed. Before signing, it checks its previous head still matches its
 * leaves, refusing to sign over a history that was edited on disk.
 *
 * Several processes may share a folder (`bsn log serve` and `bsn log add`): appends take a
 * lock file, and every operation reloads the files when they changed on disk. Proofs are
 * computed from all leaf hashes in memory — O(n) per proof, fine for a certificate log.
 */
import { mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ConflictError,
  InvalidInputError,
  NotFoundError,
  UnauthorizedError,
  UnavailableError,
  canonicalJson,
  decryptKey,
  publicKeyOf,
  readKeystore,
  toHex,
  utf8,
  writeFileAtomic,
  writeKeystore,
  type DocumentSigningKey,
  type KeystoreFile,
} from '@bsn/contract';
import { parseTrustedCertifiers, type TrustedCertifier } from '../trust.js';
import { checkEntry, entryLeafHash, type LogEntry } from './entry.js';
import { consistencyProof, hashLeaf, hashesToHex, inclusionProof, rootFromLeafHashes } from './merkle.js';
import { logPublicKeyOf, parseLogPublicKey, signTreeHead, type LogPublicKey, type SignedTreeHead } from './tree-head.js';

export const LOG_FILES = {
  config: 'log.json',
  publicKey: 'log.pub.json',
  signingKey: 'log.key.json',
  leaves: 'leaves.jsonl',
  treeHeads: 'sth.jsonl',
  lock: 'append.lock',
} as const;

export interface LogConfig {
  v: 1;
  name: string;
  key: LogPublicKey;
  /** Certifiers whose certificates and revocations this log accepts. */
  certifiers: TrustedCertifier[];
}

/**
 * What proves a leaf is in the log: its index, the inclusion proof, and the signed head the
 * proof leads to. `bsn log add` prints it; a city node checks it with `LogVerifier`.
 */
export interface InclusionEvidence {
  log: string;
  /** Informative: verifiers recompute it from the document. */
  leafHash: string;
  index: number;
  /** Hex hashes, leaf to root (RFC 9162 §2.1.3). */
  proof: string[];
  sth: SignedTreeHead;
}

export interface AppendResult extends InclusionEvidence {
  /** The entry was in the log already; `index` is where. */
  duplicate: boolean;
}

export interface CreateLogOptions {
  name: string;
  signingKey: DocumentSigningKey;
  certifiers?: readonly TrustedCertifier[];
  /** Written as log.key.json when given. */
  keystore?: KeystoreFile;
  now?: () => Date;
}

export interface OpenLogOptions {
  /** Without a key the log serves reads but refuses appends. */
  signingKey?: DocumentSigningKey;
  now?: () => Date;
}

const LOCK_WAIT_MS = 5_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Lines of a JSON-lines file; a last line without its newline is a torn write and refused. */
function splitLines(text: string, path: string): string[] {
  if (text === '') return [];
  if (!text.endsWith('\n')) throw new ConflictError(`${path} ends in an incomplete line (a torn write?); the log needs repair`);
  return text.slice(0, -1).split('\n');
}

async function appendLine(path: string, line: string): Promise<void> {
  const handle = await open(path, 'a');
  try {
    await handle.appendFile(`${line}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function parseConfig(json: unknown, path: string): LogConfig {
  const c = json as Partial<LogConfig> | null;
  if (typeof c !== 'object' || c === null || c.v !== 1 || typeof c.name !== 'string' || !c.name) {
    throw new InvalidInputError(`${path} is not a log config { v: 1, name, key, certifiers }`, { field: '/' });
  }
  const key = parseLogPublicKey(c.key, `${path} /key`);
  if (key.name !== c.name) throw new InvalidInputError(`${path}: /key/name must equal /name`, { field: '/key/name' });
  const certifiers = Array.isArray(c.certifiers) ? parseTrustedCertifiers(c.certifiers, `${path} /certifiers`) : [];
  return { v: 1, name: c.name, key, certifiers };
}

/** Decrypts `<dir>/log.key.json` (UnauthorizedError on a wrong passphrase). */
export async function readLogSigningKey(dir: string, passphrase: string): Promise<DocumentSigningKey> {
  const { algorithm, privateKey } = decryptKey(await readKeystore(join(dir, LOG_FILES.signingKey)), passphrase);
  return { algorithm, privateKey };
}

export class TransparencyLog {
  private leafHashes: Uint8Array[] = [];
  private lines: string[] = [];
  private indexByHash = new Map<string, number>();
  private heads: SignedTreeHead[] = [];
  /** Why the leaves no longer match the latest head, if they do not. */
  private historyProblem: string | undefined;
  private stamp = '';
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly dir: string,
    readonly config: LogConfig,
    private readonly signingKey: DocumentSigningKey | undefined,
    private readonly now: () => Date,
  ) {}

  get name(): string {
    return this.config.name;
  }

  get publicKey(): LogPublicKey {
    return this.config.key;
  }

  /** Creates a log folder with its config, public key and the signed head of the empty tree. */
  static async create(dir: string, options: CreateLogOptions): Promise<TransparencyLog> {
    if (!options.name) throw new InvalidInputError('a log needs a name', { field: 'name' });
    const { algorithm, privateKey } = options.signingKey;
    const key = logPublicKeyOf(options.name, algorithm, publicKeyOf(algorithm, privateKey));
    const config: LogConfig = { v: 1, name: options.name, key, certifiers: [...(options.certifiers ?? [])] };
    await mkdir(dir, { recursive: true });
    const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
    // writeFileAtomic never replaces a file, so an existing log is refused here, not overwritten.
    await writeFileAtomic(join(dir, LOG_FILES.config), json(config));
    if (options.keystore) await writeKeystore(join(dir, LOG_FILES.signingKey), options.keystore);
    await writeFileAtomic(join(dir, LOG_FILES.publicKey), json(key));
    await writeFileAtomic(join(dir, LOG_FILES.leaves), '');
    await writeFileAtomic(join(dir, LOG_FILES.treeHeads), '');
    const log = await TransparencyLog.open(dir, { signingKey: options.signingKey, ...(options.now ? { now: options.now } : {}) });
    await log.exclusive(() => log.signHead());
    return log;
  }

  /** Opens an existing log folder. */
  static async open(dir: string, options: OpenLogOptions = {}): Promise<TransparencyLog> {
    const path = join(dir, LOG_FILES.config);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        throw new NotFoundError(`${dir} is not a transparency log (no ${LOG_FILES.config})`);
      throw err;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new InvalidInputError(`${path} is not JSON: ${(err as Error).message}`, { field: '/' });
    }
    const config = parseConfig(json, path);
    if (options.signingKey) {
      const pub = toHex(publicKeyOf(options.signingKey.algorithm, options.signingKey.privateKey));
      if (options.signingKey.algorithm !== config.key.algorithm || pub !== config.key.publicKey) {
        throw new InvalidInputError(`the signing key is not the key of log ${config.name} (${config.key.keyId})`, { field: 'signingKey' });
      }
    }
    const log = new TransparencyLog(dir, config, options.signingKey, options.now ?? (() => new Date()));
    await log.serial(() => log.refresh());
    return log;
  }

  /** Runs operations one at a time, so a reload never interleaves with an append. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** `serial`, plus the cross-process lock file. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.serial(async () => {
      const lock = join(this.dir, LOG_FILES.lock);
      const deadline = Date.now() + LOCK_WAIT_MS;
      for (;;) {
        try {
          const handle = await open(lock, 'wx');
          await handle.writeFile(`${process.pid}\n`);
          await handle.close();
          break;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
          if (Date.now() > deadline) {
            const holder = await readFile(lock, 'utf8').catch(() => '?');
            throw new ConflictError(`the log is locked by ${lock} (pid ${holder.trim()}); remove it if no bsn process is appending`);
          }
          await sleep(50);
        }
      }
      try {
        await this.refresh();
        return await fn();
      } finally {
        await unlink(lock).catch(() => undefined);
      }
    });
  }

  private async fileStamp(): Promise<string> {
    const parts = await Promise.all(
      [LOG_FILES.leaves, LOG_FILES.treeHeads].map((f) => stat(join(this.dir, f)).then((s) => `${s.size}:${s.mtimeMs}:${s.ino}`)),
    );
    return parts.join('|');
  }

  /** Reloads the files when they changed since last read. */
  private async refresh(): Promise<void> {
    const stamp = await this.fileStamp();
    if (stamp === this.stamp) return;
    const leavesPath = join(this.dir, LOG_FILES.leaves);
    const headsPath = join(this.dir, LOG_FILES.treeHeads);
    const lines = splitLines(await readFile(leavesPath, 'utf8'), leavesPath);
    const heads = splitLines(await readFile(headsPath, 'utf8'), headsPath).map((line, i) => {
      try {
        return JSON.parse(line) as SignedTreeHead;
      } catch {
        throw new ConflictError(`${headsPath} line ${i + 1} is not JSON; the log needs repair`);
      }
    });
    const leafHashes = lines.map((line) => hashLeaf(utf8(line)));
    const indexByHash = new Map<string, number>();
    leafHashes.forEach((h, i) => {
      const hex = toHex(h);
      if (!indexByHash.has(hex)) indexByHash.set(hex, i);
    });
    this.lines = lines;
    this.heads = heads;
    this.leafHashes = leafHashes;
    this.indexByHash = indexByHash;
    this.stamp = stamp;
    this.historyProblem = this.checkHistory();
  }

  private checkHistory(): string | undefined {
    const latest = this.heads.at(-1)?.payload;
    if (!latest) return undefined;
    if (latest.size > this.leafHashes.length)
      return `the latest tree head covers ${latest.size} leaves but the log has ${this.leafHashes.length}`;
    if (toHex(rootFromLeafHashes(this.leafHashes, latest.size)) !== latest.rootHash) {
      return `the leaves no longer match the signed tree head of size ${latest.size} (run \`bsn log verify\`)`;
    }
    return undefined;
  }

  /** Signs a head over every leaf, unless the latest head covers them already. Caller holds the lock. */
  private async signHead(): Promise<SignedTreeHead> {
    const latest = this.heads.at(-1);
    if (latest && latest.payload.size === this.leafHashes.length) return latest;
    if (!this.signingKey) throw new UnavailableError(`log ${this.name} was opened without its signing key; it cannot sign tree heads`);
    if (this.historyProblem) throw new ConflictError(`log ${this.name} refuses to sign: ${this.historyProblem}`);
    const sth = signTreeHead(
      {
        v: 1,
        log: this.name,
        size: this.leafHashes.length,
        rootHash: toHex(rootFromLeafHashes(this.leafHashes)),
        // Never earlier than the previous head, even if the clock steps back.
        timestamp: Math.max(this.now().getTime(), latest?.payload.timestamp ?? 0),
      },
      this.signingKey,
    );
    await appendLine(join(this.dir, LOG_FILES.treeHeads), JSON.stringify(sth));
    this.heads.push(sth);
    this.stamp = await this.fileStamp();
    return sth;
  }

  /**
   * Appends a certificate or revocation (`{ kind, document }` or the bare signed document)
   * signed by one of the log's certifiers, signs the new head, and returns the inclusion
   * evidence. An entry already in the log is not added again (`duplicate: true`).
   * Throws InvalidInputError (malformed), UnauthorizedError (not signed by a certifier of this
   * log), UnavailableError (opened without the signing key), ConflictError (history changed).
   */
  async append(value: unknown): Promise<AppendResult> {
    const checked = checkEntry(value, this.config.certifiers);
    if (!checked.ok) {
      if (checked.reason === 'untrusted') throw new UnauthorizedError(checked.message);
      throw new InvalidInputError(checked.message, { field: 'document' });
    }
    const entry = checked.entry;
    if (!this.signingKey) throw new UnavailableError(`log ${this.name} was opened without its signing key; it cannot append`);
    return this.exclusive(async () => {
      if (this.historyProblem) throw new ConflictError(`log ${this.name} refuses to append: ${this.historyProblem}`);
      const leafHash = entryLeafHash(entry);
      let index = this.indexByHash.get(leafHash);
      const duplicate = index !== undefined;
      if (index === undefined) {
        const line = canonicalJson({ kind: entry.kind, document: entry.document });
        await appendLine(join(this.dir, LOG_FILES.leaves), line);
        index = this.leafHashes.length;
        this.lines.push(line);
        this.leafHashes.push(hashLeaf(utf8(line)));
        this.indexByHash.set(leafHash, index);
        this.stamp = await this.fileStamp();
      }
      const sth = await this.signHead();
      return {
        log: this.name,
        leafHash,
        index,
        proof: hashesToHex(inclusionProof(index, this.leafHashes, sth.payload.size)),
        sth,
        duplicate,
      };
    });
  }

  /** Leaves in the file, including any not yet covered by a signed head. */
  async size(): Promise<number> {
    return this.serial(async () => {
      await this.refresh();
      return this.leafHashes.length;
    });
  }

  async latestTreeHead(): Promise<SignedTreeHead> {
    return this.serial(async () => {
      await this.refresh();
      const latest = this.heads.at(-1);
      if (!latest) throw new NotFoundError(`log ${this.name} has no signed tree head`);
      return latest;
    });
  }

  /** Every head the log signed, oldest first, or those at positions [start, end). */
  async treeHeads(start = 0, end?: number): Promise<SignedTreeHead[]> {
    return this.serial(async () => {
      await this.refresh();
      return this.heads.slice(start, end);
    });
  }

  /** The inclusion proof of a leaf under the head of `size` leaves (default: the latest head). */
  async inclusionProof(leafHash: string, size?: number): Promise<{ index: number; size: number; proof: string[] } | undefined> {
    return this.serial(async () => {
      await this.refresh();
      const signed = this.heads.at(-1)?.payload.size ?? 0;
      const n = size ?? signed;
      if (!Number.isSafeInteger(n) || n < 1 || n > signed) {
        throw new InvalidInputError(`size must be a whole number from 1 to ${signed} (the latest signed size)`, { field: 'size' });
      }
      const index = this.indexByHash.get(leafHash.toLowerCase());
      if (index === undefined || index >= n) return undefined;
      return { index, size: n, proof: hashesToHex(inclusionProof(index, this.leafHashes, n)) };
    });
  }

  /** The full inclusion evidence of a leaf under the latest head, or undefined when absent. */
  async evidence(leafHash: string): Promise<InclusionEvidence | undefined> {
    const sth = await this.latestTreeHead();
    if (sth.payload.size === 0) return undefined;
    const found = await this.inclusionProof(leafHash, sth.payload.size);
    return found && { log: this.name, leafHash: leafHash.toLowerCase(), index: found.index, proof: found.proof, sth };
  }

  /** The consistency proof between two signed sizes, 0 ≤ first ≤ second ≤ latest signed size. */
  async consistencyProof(first: number, second: number): Promise<string[]> {
    return this.serial(async () => {
      await this.refresh();
      const signed = this.heads.at(-1)?.payload.size ?? 0;
      if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first < 0 || first > second || second > signed) {
        throw new InvalidInputError(`need 0 ≤ first ≤ second ≤ ${signed} (the latest signed size)`, { field: 'first' });
      }
      return hashesToHex(consistencyProof(first, this.leafHashes, second));
    });
  }

  /** Entries [start, end) as stored (end clamped to the log's size). */
  async entries(start: number, end: number): Promise<LogEntry[]> {
    return this.serial(async () => {
      await this.refresh();
      return this.lines.slice(start, end).map((line) => JSON.parse(line) as LogEntry);
    });
  }
}
