/**
 * Writes through the adapters, each idempotent by request id within its app: a repeat
 * answers with the stored receipt instead of writing again, so a client that lost an answer
 * retries safely. Hosted users' writes are signed by the node; user-key users prepare a
 * transaction, sign its digest themselves and submit the signature.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { PreparedTransaction, Receipt } from '@bsn/contract';
import { canonicalJson, fromHex, toBase64 } from '@bsn/contract';
import { receiptJson, sha256Hex, type Arg, type PreparedJson, type ReceiptJson } from '@bsn/protocol';
import type { Caller } from './auth/authenticator.js';
import { argBytes, requestIdField, str, type Body } from './body.js';
import { ApiError, invalid, notFound } from './errors.js';
import { eventForCaller, localCode } from './app-codes.js';
import type { Metering } from './metering.js';
import type { App, Registry } from './registry/registry.js';
import type { Tenancy } from './tenancy.js';

interface Write {
  app: App;
  requestId: string;
  /** Who asked what (see `contentHash`), stored with the receipt. */
  contentHash: string;
  storageBytes: number;
  run: () => Promise<Receipt>;
}

/** Same user and same content, same hash: how a repeat is told from another request under a reused id. */
function contentHash(caller: Caller, content: unknown): string {
  return sha256Hex(canonicalJson({ user: caller.user.code, content }));
}

function argsSize(args: Array<string | Uint8Array>): number {
  return args.reduce((n, a) => n + (typeof a === 'string' ? Buffer.byteLength(a) : a.length), 0);
}

/** How long a claim holds without renewal: an instance killed mid-write blocks its request id this long at most. */
const CLAIM_LEASE_MS = 30_000;
const CLAIM_POLL_MS = 50;
/** How long a copy waits for another instance's claim before answering UNAVAILABLE (retry with the same id). */
const CLAIM_WAIT_MS = 120_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Writes {
  /** This instance, as the holder of its request claims. */
  private readonly instance = `${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`;
  /** Writes running on this instance, by app and request id. */
  private readonly running = new Map<string, { contentHash: string; result: Promise<ReceiptJson> }>();

  constructor(
    private readonly registry: Registry,
    private readonly metering: Metering,
    private readonly tenancy: Tenancy,
    private readonly now: () => number,
  ) {}

  async kvPut(caller: Caller, code: string, key: string, value: Uint8Array, requestId?: string): Promise<ReceiptJson> {
    const { app, network } = await this.tenancy.memberApp(caller, code);
    const signer = this.tenancy.hostedSigner(caller.user, network);
    if (value.length === 0) throw invalid('invalid-field', 'the value is empty (send the bytes as the request body)', '/value');
    const id = requestIdField(requestId, caller.nonce);
    await this.tenancy.accountOf(caller.user, network);
    return this.idempotent({
      app,
      requestId: id,
      contentHash: contentHash(caller, { op: 'kv.put', key, value: toBase64(value) }),
      storageBytes: Buffer.byteLength(key) + value.length,
      run: () => network.adapter.kv.put({ app: { appId: app.code }, key, value, requestId: id }, signer),
    });
  }

  async kvDelete(caller: Caller, code: string, key: string, requestId?: string): Promise<ReceiptJson> {
    const { app, network } = await this.tenancy.memberApp(caller, code);
    const signer = this.tenancy.hostedSigner(caller.user, network);
    const id = requestIdField(requestId, caller.nonce);
    await this.tenancy.accountOf(caller.user, network);
    return this.idempotent({
      app,
      requestId: id,
      contentHash: contentHash(caller, { op: 'kv.delete', key }),
      storageBytes: Buffer.byteLength(key),
      run: () => network.adapter.kv.delete({ app: { appId: app.code }, key, requestId: id }, signer),
    });
  }

  async submit(caller: Caller, code: string, body: Body): Promise<ReceiptJson> {
    const { app, network } = await this.tenancy.memberApp(caller, code);
    const signer = this.tenancy.hostedSigner(caller.user, network);
    const method = str(body, 'method', { required: true })!;
    const args = argBytes(body['args'] ?? []);
    const id = requestIdField(str(body, 'requestId'), caller.nonce);
    await this.tenancy.accountOf(caller.user, network);
    return this.idempotent({
      app,
      requestId: id,
      contentHash: contentHash(caller, { op: 'submit', method, args: body['args'] ?? [] }),
      storageBytes: argsSize(args),
      run: () => network.adapter.gateway.submit({ app: { appId: app.code }, method, args, requestId: id }, signer),
    });
  }

  /** User-key mode, step one: the node builds the transaction; the client signs `digest`. */
  async prepare(caller: Caller, code: string, body: Body): Promise<PreparedJson> {
    const { app, network } = await this.tenancy.memberApp(caller, code);
    if (caller.user.keyMode !== 'user') throw invalid('key-mode', `user ${caller.user.code} is in hosted-key mode: submit directly`);
    const method = str(body, 'method', { required: true })!;
    const args = argBytes(body['args'] ?? []);
    const id = requestIdField(str(body, 'requestId'), caller.nonce);
    const account = await this.tenancy.accountOf(caller.user, network);
    const prepared = await network.adapter.gateway.prepare(
      { app: { appId: app.code }, method, args, requestId: id },
      { publicKey: fromHex(account.publicKey.length === 128 ? `04${account.publicKey}` : account.publicKey), algorithm: account.algorithm },
    );
    const preparedId = `p-${randomBytes(12).toString('hex')}`;
    // Stored as JSON, so byte arguments go in as { base64 }.
    const stored = {
      ...prepared,
      request: { ...prepared.request, args: prepared.request.args.map((a) => (typeof a === 'string' ? a : { base64: toBase64(a) })) },
    };
    await this.registry.putPrepared({
      id: preparedId,
      app: app.code,
      user: caller.user.code,
      contentHash: contentHash(caller, { op: 'submit', method, args: body['args'] ?? [] }),
      prepared: stored as unknown as Record<string, unknown>,
      expiresAt: prepared.expiresAt,
    });
    return {
      preparedId,
      requestId: id,
      algorithm: prepared.algorithm,
      publicKey: prepared.publicKey,
      digest: prepared.digest,
      expiresAt: prepared.expiresAt,
    };
  }

  /** User-key mode, step two: relay the client's signature and wait for finality. */
  async submitPrepared(caller: Caller, code: string, preparedId: string, body: Body): Promise<ReceiptJson> {
    const { app, network } = await this.tenancy.memberApp(caller, code);
    const record = await this.registry.getPrepared(preparedId);
    if (!record || record.app !== app.code || record.user !== caller.user.code)
      throw notFound('not-found', `no prepared transaction ${preparedId} of yours in app ${localCode(app)}`);
    if (record.expiresAt < this.now())
      throw new ApiError(
        'CONFLICT',
        'prepared-expired',
        `prepared transaction ${preparedId} expired at ${new Date(record.expiresAt).toISOString()}: prepare it again`,
      );
    const signature = str(body, 'signature', { required: true, re: /^(0x)?[0-9a-fA-F]{128}$/, what: 'must be r‖s, 64 bytes of hex' })!;
    const recovery = body['recovery'];
    if (recovery !== undefined && recovery !== 0 && recovery !== 1) throw invalid('invalid-field', '/recovery must be 0 or 1', '/recovery');
    const raw = record.prepared as unknown as PreparedTransaction & { request: { args: Arg[] } };
    const prepared: PreparedTransaction = { ...raw, request: { ...raw.request, args: argBytes(raw.request.args, '/prepared/args') } };
    const result = await this.idempotent(
      {
        app,
        requestId: prepared.request.requestId,
        contentHash: record.contentHash,
        storageBytes: argsSize(prepared.request.args),
        run: () =>
          network.adapter.gateway.submitPrepared(prepared, {
            compact: fromHex(signature.replace(/^0x/, '')),
            ...(recovery !== undefined && { recovery: recovery as number }),
          }),
      },
      { checkContent: false },
    );
    await this.registry.deletePrepared(preparedId);
    return result;
  }

  /**
   * Runs a write once per (app, request id) across every instance on the registry, and meters
   * it once; a repeat answers with the stored receipt. With `checkContent`, a repeat that asked
   * something else is CONFLICT; without it (a prepared transaction's submit) any receipt stored
   * under the id is the answer.
   *
   * Before signing, the instance claims the id in the registry (a lease it renews while the
   * chain works); a copy of the request on another instance waits for the claim's receipt
   * instead of broadcasting a second transaction, and takes the claim over only once its lease
   * ran out (its holder died). A copy on this instance waits on the same promise.
   */
  private async idempotent(w: Write, { checkContent = true } = {}): Promise<ReceiptJson> {
    const key = `${w.app.code}\n${w.requestId}`;
    const running = this.running.get(key);
    if (running) {
      if (checkContent && running.contentHash !== w.contentHash) throw reused(w);
      return running.result;
    }
    const result = this.claimAndRun(w, checkContent);
    this.running.set(key, { contentHash: w.contentHash, result });
    try {
      return await result;
    } finally {
      this.running.delete(key);
    }
  }

  private async claimAndRun(w: Write, checkContent: boolean): Promise<ReceiptJson> {
    const waitUntil = this.now() + CLAIM_WAIT_MS;
    for (;;) {
      const stored = await this.registry.getReceipt(w.app.code, w.requestId);
      if (stored) {
        if (checkContent && stored.contentHash !== w.contentHash) throw reused(w);
        return stored.receipt as unknown as ReceiptJson;
      }
      const claim = await this.registry.claimRequest(
        {
          app: w.app.code,
          requestId: w.requestId,
          contentHash: w.contentHash,
          holder: this.instance,
          leaseUntil: this.now() + CLAIM_LEASE_MS,
        },
        this.now(),
      );
      if (claim.claimed) return this.runClaimed(w, checkContent);
      if (checkContent && claim.held.contentHash !== w.contentHash) throw reused(w);
      if (this.now() > waitUntil) {
        throw new ApiError(
          'UNAVAILABLE',
          'unavailable',
          `request id ${w.requestId} is being written by another node instance (${claim.held.holder}); retry with the same id`,
        );
      }
      await sleep(CLAIM_POLL_MS);
    }
  }

  /** The write itself, under this instance's claim: renewed while it runs, released after. */
  private async runClaimed(w: Write, checkContent: boolean): Promise<ReceiptJson> {
    const renew = setInterval(() => {
      this.registry.renewClaim(w.app.code, w.requestId, this.instance, this.now() + CLAIM_LEASE_MS).catch(() => {});
    }, CLAIM_LEASE_MS / 3);
    renew.unref();
    try {
      // The holder before us may have stored its receipt just before its claim ran out.
      const stored = await this.registry.getReceipt(w.app.code, w.requestId);
      if (stored) {
        if (checkContent && stored.contentHash !== w.contentHash) throw reused(w);
        return stored.receipt as unknown as ReceiptJson;
      }
      const chain = await w.run();
      const receipt = receiptJson({ ...chain, events: chain.events.map((e) => eventForCaller(e, w.app)) });
      const kept = await this.registry.putReceipt(
        { app: w.app.code, requestId: w.requestId, contentHash: w.contentHash, receipt: receipt as unknown as Record<string, unknown> },
        w.storageBytes,
      );
      // The registry counted it with the receipt; this instance's rate and Prometheus follow, once.
      if (kept.inserted) this.metering.committed(w.app.code, w.storageBytes);
      return kept.receipt as unknown as ReceiptJson;
    } finally {
      clearInterval(renew);
      await this.registry.releaseClaim(w.app.code, w.requestId, this.instance).catch(() => {});
    }
  }
}

function reused(w: Write): ApiError {
  return new ApiError(
    'CONFLICT',
    'request-id-reused',
    `request id ${w.requestId} was used for a different request in app ${localCode(w.app)}`,
    {
      field: '/requestId',
    },
  );
}
