/**
 * Auditing a log (`bsn log verify`): recompute every head from the leaves and check every
 * head the log kept, so an edited, truncated or forked history is found and the first
 * problem named — by leaf index where it can be.
 *
 * Checks, stopping at the first problem:
 *  - every kept head is well formed and signed by the pinned log key; sizes and timestamps
 *    never decrease; two heads of one size have one root;
 *  - every leaf is canonical JSON of a validly signed certificate or revocation;
 *  - the leaves hash to every kept head's root. The log signs a head after every append, so
 *    a leaf changed in place is named exactly: the first head it breaks is the one it completed;
 *  - when the source serves proofs (a remote log), the consistency proof between each head
 *    and the next verifies. For a local folder that follows from the recomputed roots.
 * Leaves beyond the latest head (a crash between leaf and head) are a warning, not a problem.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalJson, toHex, utf8 } from '@bsn/contract';
import type { LogClient } from './client.js';
import { checkEntry } from './entry.js';
import { LOG_FILES } from './log.js';
import { MerkleAccumulator, hashLeaf, hashesFromHex, verifyConsistency } from './merkle.js';
import { verifyTreeHead, type LogPublicKey, type SignedTreeHead, type TreeHeadPayload } from './tree-head.js';
import type { ConsistencyProofSource } from './verifier.js';

export interface AuditSource {
  /** The heads the log kept, oldest first, unverified. */
  treeHeads(): Promise<unknown[]>;
  /** The leaves as text, in order. */
  leaves(): Promise<string[]>;
  /** Given for a remote log, whose proofs are checked too. */
  consistency?: ConsistencyProofSource;
}

export interface AuditProblem {
  message: string;
  /** The leaf index the problem is at, when known. */
  leaf?: number;
  /** The position (0-based) of the head in the log's list of kept heads. */
  treeHead?: number;
}

export type AuditReport =
  | { ok: true; size: number; treeHeads: number; latest: SignedTreeHead; warnings: string[] }
  | { ok: false; problem: AuditProblem; warnings: string[] };

/** Reads a log folder's files directly, not through TransparencyLog: the audit trusts nothing of it. */
export function localAuditSource(dir: string): AuditSource {
  const lines = async (file: string): Promise<string[]> => {
    const text = await readFile(join(dir, file), 'utf8');
    if (text === '') return [];
    // A torn last line is kept so the audit reports it by index.
    return (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
  };
  return {
    treeHeads: async () =>
      (await lines(LOG_FILES.treeHeads)).map((line) => {
        try {
          return JSON.parse(line) as unknown;
        } catch {
          return line;
        }
      }),
    leaves: () => lines(LOG_FILES.leaves),
  };
}

/** A remote log through its HTTP face; its consistency proofs are checked as well. */
export function remoteAuditSource(client: LogClient): AuditSource {
  return {
    treeHeads: () => client.treeHeads(),
    // The leaf is the canonical JSON of the entry, whatever formatting the server used.
    leaves: async () => (await client.entries()).map((e) => canonicalJson(e)),
    consistency: client.consistency,
  };
}

function leafProblem(text: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'is not JSON';
  }
  if (canonicalJson(value) !== text) return 'is not canonical JSON (the log writes only canonical leaves)';
  if (typeof value !== 'object' || value === null || !('kind' in value)) return 'is not a { kind, document } entry';
  const checked = checkEntry(value);
  return checked.ok ? undefined : `is not a valid entry: ${checked.message}`;
}

/** Audits a log against its pinned key; I/O failures of the source throw, findings do not. */
export async function auditLog(source: AuditSource, log: LogPublicKey): Promise<AuditReport> {
  const warnings: string[] = [];
  const fail = (problem: AuditProblem): AuditReport => ({ ok: false, problem, warnings });

  const rawHeads = await source.treeHeads();
  if (rawHeads.length === 0) return fail({ message: 'the log kept no signed tree head' });
  const heads: TreeHeadPayload[] = [];
  for (const [i, raw] of rawHeads.entries()) {
    const v = verifyTreeHead(raw, log);
    if (!v.ok) return fail({ treeHead: i, message: `tree head #${i} does not verify: ${v.reason}` });
    const prev = heads.at(-1);
    const h = v.head;
    if (prev && h.size < prev.size)
      return fail({ treeHead: i, message: `tree head #${i} shrinks the log from ${prev.size} to ${h.size} leaves` });
    if (prev && h.timestamp < prev.timestamp) return fail({ treeHead: i, message: `tree head #${i} is older than the head before it` });
    if (prev && h.size === prev.size && h.rootHash !== prev.rootHash) {
      return fail({ treeHead: i, message: `tree heads #${i - 1} and #${i} give size ${h.size} two different roots` });
    }
    heads.push(h);
  }
  const latest = heads.at(-1)!;

  const leaves = await source.leaves();
  if (latest.size > leaves.length) {
    return fail({
      treeHead: heads.length - 1,
      message: `the latest tree head covers ${latest.size} leaves but the log has ${leaves.length}`,
    });
  }

  const acc = new MerkleAccumulator();
  let next = 0; // the next head to check
  let matched = 0; // the size of the last head that matched
  const checkHeadsAtSize = (): AuditProblem | undefined => {
    for (; next < heads.length && heads[next]!.size === acc.size; next++) {
      if (toHex(acc.root()) === heads[next]!.rootHash) continue;
      const size = acc.size;
      if (size - matched === 1) {
        return {
          leaf: size - 1,
          treeHead: next,
          message: `leaf ${size - 1} was changed: the leaves no longer hash to the signed head of size ${size}`,
        };
      }
      return {
        treeHead: next,
        message: `a leaf in ${matched}..${size - 1} was changed: the leaves no longer hash to the signed head of size ${size}`,
      };
    }
    matched = acc.size;
    return undefined;
  };
  let problem = checkHeadsAtSize();
  if (problem) return fail(problem);
  for (const [i, text] of leaves.entries()) {
    const why = leafProblem(text);
    if (why) return fail({ leaf: i, message: `leaf ${i} ${why}` });
    acc.push(hashLeaf(utf8(text)));
    if ((problem = checkHeadsAtSize())) return fail(problem);
  }
  if (leaves.length > latest.size) warnings.push(`${leaves.length - latest.size} leaf(s) are not yet covered by a signed tree head`);

  if (source.consistency) {
    for (let i = 1; i < heads.length; i++) {
      const [a, b] = [heads[i - 1]!, heads[i]!];
      if (a.size === b.size) continue;
      const proof = hashesFromHex(await source.consistency(a.size, b.size));
      const hex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));
      if (!proof || !verifyConsistency(a.size, b.size, proof, hex(a.rootHash), hex(b.rootHash))) {
        return fail({ treeHead: i, message: `the log's consistency proof from size ${a.size} to ${b.size} does not verify` });
      }
    }
  }
  return { ok: true, size: leaves.length, treeHeads: heads.length, latest: rawHeads.at(-1) as SignedTreeHead, warnings };
}
