/**
 * What a city node runs before it honours a certificate: the certificate must be in the
 * log, under a tree head signed by the pinned log key, and that head must be consistent with
 * the last head this node saw — so a log cannot show one history to this node and another
 * to the rest of the world (a fork) or rewrite history it already showed (a rewrite).
 *
 * Checks, in order, stopping at the first failure:
 *   1. evidence is present                                       → log-missing
 *   2. the head is well formed and signed by the pinned key      → log-sth-invalid
 *   3. the inclusion proof leads from the leaf to that head      → log-inclusion-invalid
 *   4. the last head this node saw (from its store) verifies     → log-state-invalid
 *   5. the two heads are consistent: same size ⇒ same root; otherwise the log's consistency
 *      proof between them verifies                               → log-inconsistent
 *      (the proof could not be fetched                           → log-unavailable)
 * Then the larger head is saved. A head smaller than the one saved is accepted when proven to
 * be its prefix (a certificate's evidence is as old as its certificate) but never saved: the
 * node's view of the log only grows. With nothing saved yet the head is trusted on first use.
 *
 * Fails closed and never throws on malformed input; only a store that cannot save throws.
 */
import type { PluginCertificate } from '../certificate.js';
import { certificateLeafHash, entryLeafHash, type LogEntry } from './entry.js';
import type { InclusionEvidence } from './log.js';
import { hashesFromHex, verifyConsistency, verifyInclusion } from './merkle.js';
import type { SthStore } from './sth-store.js';
import { verifyTreeHead, type LogPublicKey, type SignedTreeHead, type TreeHeadPayload } from './tree-head.js';

export const LOG_REFUSAL_REASONS = [
  'log-missing',
  'log-sth-invalid',
  'log-inclusion-invalid',
  'log-state-invalid',
  'log-inconsistent',
  'log-unavailable',
] as const;
export type LogRefusalReason = (typeof LOG_REFUSAL_REASONS)[number];

export interface LogRefusal {
  accepted: false;
  reason: LogRefusalReason;
  message: string;
}

export type TreeHeadDecision = { accepted: true; treeHead: TreeHeadPayload } | LogRefusal;
export type LogDecision = { accepted: true; treeHead: TreeHeadPayload; index: number } | LogRefusal;

/** Fetches the log's consistency proof between two sizes, as hex hashes (`LogClient.consistencyProof`). */
export type ConsistencyProofSource = (first: number, second: number) => Promise<string[]>;

export interface LogVerifierOptions {
  /** The log's pinned public key (`log.pub.json`). */
  log: LogPublicKey;
  /** Where this node keeps the last head it accepted (`fileSthStore(dataDir, log)`). */
  store: SthStore;
  consistency: ConsistencyProofSource;
}

const refuse = (reason: LogRefusalReason, message: string): LogRefusal => ({ accepted: false, reason, message });
const fromHex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));

export class LogVerifier {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: LogVerifierOptions) {}

  /** Whether `evidence` proves `certificate` is in the log, consistently with what this node saw. */
  checkCertificate(certificate: PluginCertificate, evidence: InclusionEvidence | undefined): Promise<LogDecision> {
    let leafHash: string;
    try {
      leafHash = certificateLeafHash(certificate);
    } catch (err) {
      return Promise.resolve(refuse('log-inclusion-invalid', `the certificate has no leaf hash: ${(err as Error).message}`));
    }
    return this.checkLeaf(leafHash, evidence);
  }

  /** The same for any entry (a revocation, say). */
  checkEntry(entry: LogEntry, evidence: InclusionEvidence | undefined): Promise<LogDecision> {
    let leafHash: string;
    try {
      leafHash = entryLeafHash(entry);
    } catch (err) {
      return Promise.resolve(refuse('log-inclusion-invalid', `the entry has no leaf hash: ${(err as Error).message}`));
    }
    return this.checkLeaf(leafHash, evidence);
  }

  /** Moves this node's view to a newer head (say, polled from the log) when it is consistent. */
  observe(sth: unknown): Promise<TreeHeadDecision> {
    return this.serial(async () => {
      const head = verifyTreeHead(sth, this.options.log);
      if (!head.ok) return refuse('log-sth-invalid', head.reason);
      return this.advance(sth as SignedTreeHead, head.head);
    });
  }

  private checkLeaf(leafHash: string, evidence: InclusionEvidence | undefined): Promise<LogDecision> {
    return this.serial(async () => {
      if (evidence === undefined || evidence === null) return refuse('log-missing', 'no evidence that the certificate is in the log');
      if (typeof evidence !== 'object') return refuse('log-missing', 'the log evidence is not an object');
      const head = verifyTreeHead(evidence.sth, this.options.log);
      if (!head.ok) return refuse('log-sth-invalid', head.reason);
      const proof = hashesFromHex(evidence.proof);
      const { index } = evidence;
      if (!proof || typeof index !== 'number') return refuse('log-inclusion-invalid', 'the inclusion proof is malformed');
      if (!verifyInclusion(index, head.head.size, fromHex(leafHash), proof, fromHex(head.head.rootHash))) {
        return refuse(
          'log-inclusion-invalid',
          `the inclusion proof does not lead from leaf ${leafHash} at index ${index} to the head of size ${head.head.size}`,
        );
      }
      const advanced = await this.advance(evidence.sth, head.head);
      return advanced.accepted ? { ...advanced, index } : advanced;
    });
  }

  /** Steps 4–5 of the module comment, for a head already verified. */
  private async advance(sth: SignedTreeHead, next: TreeHeadPayload): Promise<TreeHeadDecision> {
    let saved: SignedTreeHead | undefined;
    try {
      saved = await this.options.store.load();
    } catch (err) {
      return refuse('log-state-invalid', `the last head this node saw cannot be read: ${(err as Error).message}`);
    }
    if (saved === undefined) {
      await this.options.store.save(sth);
      return { accepted: true, treeHead: next };
    }
    const last = verifyTreeHead(saved, this.options.log);
    if (!last.ok) return refuse('log-state-invalid', `the last head this node saw does not verify: ${last.reason}`);
    const prev = last.head;
    if (next.size === prev.size) {
      if (next.rootHash !== prev.rootHash) {
        return refuse('log-inconsistent', `the log signed two different heads of size ${next.size}: ${prev.rootHash} and ${next.rootHash}`);
      }
      return { accepted: true, treeHead: next };
    }
    const [older, newer] = next.size < prev.size ? [next, prev] : [prev, next];
    let proofHex: string[];
    try {
      proofHex = await this.options.consistency(older.size, newer.size);
    } catch (err) {
      return refuse('log-unavailable', `cannot get the consistency proof ${older.size} → ${newer.size}: ${(err as Error).message}`);
    }
    const proof = hashesFromHex(proofHex);
    if (!proof || !verifyConsistency(older.size, newer.size, proof, fromHex(older.rootHash), fromHex(newer.rootHash))) {
      return refuse(
        'log-inconsistent',
        `the head of size ${next.size} is not consistent with the head of size ${prev.size} this node saw before (a forked or rewritten log)`,
      );
    }
    if (newer === next) await this.options.store.save(sth);
    return { accepted: true, treeHead: next };
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
