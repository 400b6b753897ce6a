import type { AppRef } from './lifecycle.js';
import type { Signer, CompactSignature, KeyAlgorithm } from './keys.js';

/**
 * A call on an app's contract. `method` and `args` are framework-neutral: strings and
 * byte arrays. The adapter encodes them (Fabric chaincode args, Solidity ABI through the
 * app's declared interface, EOS action data).
 */
export interface Invocation {
  app: AppRef;
  method: string;
  args: Array<string | Uint8Array>;
}

export interface SubmitRequest extends Invocation {
  /**
   * Client-chosen id, 1–128 chars of [A-Za-z0-9._:-]. Submitting the same id again returns
   * the first receipt and writes nothing; the same id with different content is a ConflictError.
   */
  requestId: string;
  /** Give up waiting after this many ms (outcome then unknown: TimeoutError; retry with the same id). */
  timeoutMs?: number;
}

export type EvaluateRequest = Invocation;

/** Where an event sits in the chain's total order. Resuming *after* it yields the next event. */
export interface Checkpoint {
  block: number;
  /** Position of the event within the block (Fabric: tx index × event; Ethereum: log index). */
  index: number;
}

export interface ChainEvent {
  app: string;
  name: string;
  payload: Uint8Array;
  txId: string;
  checkpoint: Checkpoint;
}

export interface Receipt {
  /** Stable: the same id is returned by `transaction()` and on idempotent re-submission. */
  txId: string;
  requestId: string;
  /** Always `committed` and final at the adapter's declared finality when returned. */
  status: 'committed';
  block: { number: number; hash: string };
  /** The contract's return value, when the framework exposes one. */
  result?: Uint8Array;
  events: ChainEvent[];
  /** ms since epoch, from the block (not the local clock). */
  timestamp: number;
}

export interface EvaluateResult {
  result: Uint8Array;
  /** The block height the read observed, when the framework reports one. */
  block?: number;
}

export interface EventsRequest {
  app: AppRef;
  /** Start strictly after this checkpoint; absent: from the app's first event. */
  after?: Checkpoint;
  /** Only events with this name. */
  name?: string;
  signal?: AbortSignal;
}

/**
 * User-key mode, step one: a transaction built for `account` but not signed. The client
 * signs `digest` with its own key and hands the signature to `submitPrepared`.
 */
export interface PreparedTransaction {
  request: SubmitRequest;
  algorithm: KeyAlgorithm;
  publicKey: string;
  /** The exact digest to sign, hex. */
  digest: string;
  /** Opaque adapter state needed to finish (serialised unsigned tx, proposal bytes…), base64. */
  payload: string;
  /** ms since epoch after which the prepared transaction must not be submitted. */
  expiresAt: number;
}

export interface BlockInfo {
  number: number;
  hash: string;
  parentHash: string;
  timestamp: number;
  txIds: string[];
}

export interface TransactionInfo {
  txId: string;
  block: { number: number; hash: string };
  /** Validation outcome as the chain recorded it. */
  valid: boolean;
  /** The framework's validation / status code, verbatim. */
  validationCode: string;
  /** The BSN app the transaction wrote to (not a contract or account): every app write names it (GW-002, GW-009). */
  app?: string;
  /** The method it called: `put` for a preset put, however the framework carried it. */
  method?: string;
  events: ChainEvent[];
}

export interface HealthReport {
  ok: boolean;
  /** Latest block height seen. */
  height: number;
  /** Node software and version as reported by the node itself. */
  node: string;
  latencyMs: number;
  detail?: Record<string, unknown>;
}

export interface Gateway {
  /** Hosted-key mode: sign with `signer` and wait until committed at declared finality. */
  submit(request: SubmitRequest, signer: Signer): Promise<Receipt>;
  /** User-key mode, step one. */
  prepare(request: SubmitRequest, account: { publicKey: Uint8Array; algorithm: KeyAlgorithm }): Promise<PreparedTransaction>;
  /** User-key mode, step two: relay the client-signed transaction and wait for finality. */
  submitPrepared(prepared: PreparedTransaction, signature: CompactSignature): Promise<Receipt>;
  /** Read-only; never writes, never needs a signature from the caller's key unless the framework does. */
  evaluate(request: EvaluateRequest, caller?: Signer): Promise<EvaluateResult>;
  /** Ordered, gap-free, duplicate-free, resumable from any checkpoint it yielded. Ends only by `signal`. */
  events(request: EventsRequest): AsyncIterable<ChainEvent>;
  /**
   * `latest` means the newest final block. `scope` names the app whose ledger is meant: an
   * adapter that places apps on several ledgers (Fabric dedicated placement: one channel per
   * app) looks the block up on that app's ledger; without it, the shared ledger. Adapters
   * with one ledger ignore it. Added in 1.1.0: callers may pass it to any 1.x adapter.
   */
  block(ref: number | 'latest', scope?: AppRef): Promise<BlockInfo>;
  /** A transaction by id, on the ledger of `scope`'s app when given (see `block`). */
  transaction(txId: string, scope?: AppRef): Promise<TransactionInfo>;
  health(): Promise<HealthReport>;
}
