/**
 * A client of the log's HTTP face (see server.ts), over fetch. It checks only the shape of
 * answers: everything it returns is untrusted until `LogVerifier` or `auditLog` checks it.
 */
import { CLASS_BY_CODE, UnavailableError, type ErrorCode } from '@bsn/contract';
import type { AppendResult, InclusionEvidence } from './log.js';
import type { SignedTreeHead } from './tree-head.js';
import type { ConsistencyProofSource } from './verifier.js';

export interface LogClientOptions {
  fetch?: typeof fetch;
  /** Per request; default 10 s. */
  timeoutMs?: number;
}

export class LogClient {
  readonly url: string;
  private readonly fetchFn: typeof fetch;
  private readonly timeoutMs: number;

  constructor(url: string, options: LogClientOptions = {}) {
    this.url = url.replace(/\/+$/, '');
    this.fetchFn = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  private async request<T>(path: string, init: RequestInit = {}): Promise<T> {
    let res: Response;
    try {
      res = await this.fetchFn(`${this.url}${path}`, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      throw new UnavailableError(`log ${this.url} did not answer ${path}: ${(err as Error).message}`, { cause: err });
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      throw new UnavailableError(`log ${this.url} answered ${path} with ${res.status} and no JSON`);
    }
    if (!res.ok) {
      const e = (body as { error?: { code?: string; message?: string } }).error;
      const Class = (e?.code && CLASS_BY_CODE[e.code as ErrorCode]) || UnavailableError;
      throw new Class(`log ${this.url}: ${e?.message ?? `HTTP ${res.status}`}`);
    }
    return body as T;
  }

  /** The latest signed head, or the one signed at `size`. */
  treeHead(size?: number): Promise<SignedTreeHead> {
    return this.request(size === undefined ? '/sth' : `/sth?size=${size}`);
  }

  /** Every head the log signed, oldest first (paged). */
  async treeHeads(): Promise<SignedTreeHead[]> {
    const all: SignedTreeHead[] = [];
    for (;;) {
      // The server caps each page; an empty page is the end.
      const page = await this.request<{ treeHeads: SignedTreeHead[] }>(`/sths?start=${all.length}`);
      if (!Array.isArray(page.treeHeads)) throw new UnavailableError(`log ${this.url}: /sths answered without treeHeads`);
      all.push(...page.treeHeads);
      if (page.treeHeads.length === 0) return all;
    }
  }

  /** The inclusion proof of a leaf hash under the head of `size`; undefined when the log has no such leaf. */
  async inclusionProof(leafHash: string, size?: number): Promise<{ index: number; size: number; proof: string[] } | undefined> {
    try {
      return await this.request(`/proof/inclusion?hash=${encodeURIComponent(leafHash)}${size === undefined ? '' : `&size=${size}`}`);
    } catch (err) {
      if ((err as { code?: string }).code === 'NOT_FOUND') return undefined;
      throw err;
    }
  }

  /** Inclusion evidence under the latest head, ready for `LogVerifier`; undefined when the leaf is absent. */
  async evidence(leafHash: string): Promise<InclusionEvidence | undefined> {
    const sth = await this.treeHead();
    if (sth.payload.size === 0) return undefined;
    const found = await this.inclusionProof(leafHash, sth.payload.size);
    return found && { log: sth.payload.log, leafHash, index: found.index, proof: found.proof, sth };
  }

  async consistencyProof(first: number, second: number): Promise<string[]> {
    const body = await this.request<{ proof: string[] }>(`/proof/consistency?first=${first}&second=${second}`);
    if (!Array.isArray(body.proof)) throw new UnavailableError(`log ${this.url}: the consistency answer has no proof`);
    return body.proof;
  }

  /** For `LogVerifier`'s `consistency` option. */
  readonly consistency: ConsistencyProofSource = (first, second) => this.consistencyProof(first, second);

  /** Entries [start, end) (paged), as the log serves them. */
  async entries(start = 0, end?: number): Promise<unknown[]> {
    const all: unknown[] = [];
    // The server caps each page; an empty page is the end.
    for (let at = start; end === undefined || at < end;) {
      const page = await this.request<{ entries: unknown[] }>(`/leaves?start=${at}${end === undefined ? '' : `&end=${end}`}`);
      if (!Array.isArray(page.entries)) throw new UnavailableError(`log ${this.url}: /leaves answered without entries`);
      if (page.entries.length === 0) break;
      all.push(...page.entries);
      at += page.entries.length;
    }
    return all;
  }

  /** Adds a certificate or revocation (or `{ kind, document }`); the log signs a new head. */
  submit(document: unknown): Promise<AppendResult> {
    return this.request('/leaves', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(document) });
  }
}
