/**
 * The chain of the memory devnet: a ledger that checks signatures, seals one block per
 * transaction and runs the preset data contract (apps with an admin, members and a frozen
 * flag; keys with their history; request ids recorded once). It stands in for a real node
 * while an adapter is being written: replace the devnet with your framework's own.
 */
import { canonicalJson, fromHex, verifyDigest, type ErrorCode } from '@bsn/contract';
import {
  accountOf,
  sha256,
  txDigest,
  type App,
  type Block,
  type HistoryEntry,
  type LedgerEvent,
  type LedgerTx,
  type SignedTx,
  type TxBody,
} from '../node-protocol.js';

/** A refusal the node answers with: the standard's code and the ledger's own words. */
export class LedgerError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export class Ledger {
  readonly blocks: Block[] = [];
  private readonly txs = new Map<string, LedgerTx>();
  private readonly apps = new Map<string, App>();
  private readonly values = new Map<string, Map<string, HistoryEntry[]>>();
  /** `<app>\u0000<request id>` → the transaction that used it. */
  private readonly requests = new Map<string, string>();
  private readonly events: LedgerEvent[] = [];
  private readonly sealed = new Set<() => void>();
  private lastTimestamp = 0;

  constructor(readonly chain: string) {
    this.blocks.push(this.block(0, '0'.repeat(64), [], this.nextTimestamp()));
  }

  head(): Block {
    return this.blocks[this.blocks.length - 1]!;
  }

  /** Verifies, executes and seals one transaction; a replay of a sealed one answers with it again. */
  submit(tx: SignedTx): LedgerTx {
    const { body } = tx;
    if (typeof body !== 'object' || body === null || body.v !== 1)
      throw new LedgerError('INVALID_INPUT', 'a transaction body is { v: 1, … }', '/body');
    if (body.chain !== this.chain)
      throw new LedgerError('UNAUTHORIZED', `the transaction is for chain ${String(body.chain)}, this is ${this.chain}`, '/body/chain');
    let valid = false;
    try {
      valid = verifyDigest(tx.algorithm, fromHex(tx.publicKey), fromHex(txDigest(body)), fromHex(tx.signature));
    } catch {
      valid = false;
    }
    if (!valid) throw new LedgerError('UNAUTHORIZED', 'the signature does not verify under the public key given', '/signature');
    const from = accountOf(tx.algorithm, tx.publicKey);
    const txId = sha256(canonicalJson({ body, from }));
    const replay = this.txs.get(txId);
    if (replay) return replay;
    const request = `${body.app}\u0000${body.requestId}`;
    const earlier = this.requests.get(request);
    if (earlier)
      throw new LedgerError('CONFLICT', `request id ${body.requestId} was used for another transaction (${earlier})`, '/requestId');
    const number = this.head().number + 1;
    const timestamp = this.nextTimestamp();
    const events = this.execute(body, from, txId, number, timestamp);
    const sealed: LedgerTx = { txId, from, body, block: number, events };
    this.blocks.push(this.block(number, this.head().hash, [txId], timestamp));
    this.txs.set(txId, sealed);
    this.requests.set(request, txId);
    this.events.push(...events);
    for (const wake of this.sealed) wake();
    return sealed;
  }

  private execute(body: TxBody, from: string, txId: string, block: number, timestamp: number): LedgerEvent[] {
    if (body.op === 'createApp') {
      if (this.apps.has(body.app)) throw new LedgerError('CONFLICT', `app ${body.app} exists already`, '/appId');
      this.apps.set(body.app, {
        appId: body.app,
        name: body.name,
        mode: body.mode,
        admin: from,
        members: [...new Set(body.members)],
        frozen: false,
        version: 1,
        createdTx: txId,
      });
      this.values.set(body.app, new Map());
      return [];
    }
    const app = this.app(body.app);
    switch (body.op) {
      case 'addMember':
      case 'removeMember':
      case 'freeze':
      case 'unfreeze':
      case 'upgrade':
        if (from !== app.admin) throw new LedgerError('UNAUTHORIZED', `${from} is not the admin of ${app.appId}`);
        if (body.op === 'addMember' && !app.members.includes(body.member)) app.members.push(body.member);
        if (body.op === 'removeMember') {
          if (body.member === app.admin) throw new LedgerError('CONFLICT', 'the admin cannot be removed from the members');
          app.members = app.members.filter((m) => m !== body.member);
        }
        if (body.op === 'freeze' || body.op === 'unfreeze') app.frozen = body.op === 'freeze';
        if (body.op === 'upgrade') app.version++;
        return [];
      case 'put':
      case 'delete': {
        if (from !== app.admin && !app.members.includes(from))
          throw new LedgerError('UNAUTHORIZED', `${from} is not a member of ${app.appId}`);
        if (app.frozen) throw new LedgerError('UNAUTHORIZED', `app ${app.appId} is frozen: writes are refused`);
        const history = this.values.get(app.appId)!;
        const entries = history.get(body.key) ?? [];
        const live = entries.length > 0 && entries[entries.length - 1]!.value !== null;
        if (body.op === 'delete' && !live) throw new LedgerError('NOT_FOUND', `key ${JSON.stringify(body.key)} does not exist`, '/key');
        entries.push({ txId, block, timestamp, value: body.op === 'put' ? body.value : null });
        history.set(body.key, entries);
        const name = body.op === 'put' ? 'kv.put' : 'kv.delete';
        return [{ app: app.appId, name, payload: Buffer.from(body.key, 'utf8').toString('base64'), txId, block, index: 0 }];
      }
      default:
        throw new LedgerError('INVALID_INPUT', `unknown operation ${JSON.stringify((body as { op?: unknown }).op)}`, '/body/op');
    }
  }

  app(appId: string): App {
    const app = this.apps.get(appId);
    if (!app) throw new LedgerError('NOT_FOUND', `no app ${appId}`, '/app/appId');
    return app;
  }

  history(appId: string, key: string): HistoryEntry[] {
    this.app(appId);
    return [...(this.values.get(appId)?.get(key) ?? [])];
  }

  /** Live keys with `prefix`, byte-wise ascending, strictly after `after`, at most `limit`. */
  list(appId: string, prefix: string, after: string | undefined, limit: number): Array<{ key: string; entry: HistoryEntry }> {
    this.app(appId);
    const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
    return [...(this.values.get(appId) ?? new Map<string, HistoryEntry[]>())]
      .filter(
        ([key, entries]) =>
          key.startsWith(prefix) && entries[entries.length - 1]!.value !== null && (after === undefined || byBytes(key, after) > 0),
      )
      .sort(([a], [b]) => byBytes(a, b))
      .slice(0, limit)
      .map(([key, entries]) => ({ key, entry: entries[entries.length - 1]! }));
  }

  tx(txId: string): LedgerTx {
    const tx = this.txs.get(txId);
    if (!tx) throw new LedgerError('NOT_FOUND', `no transaction ${txId}`, '/txId');
    return tx;
  }

  blockAt(number: number): Block {
    const block = this.blocks[number];
    if (!block) throw new LedgerError('NOT_FOUND', `block ${number} does not exist (the head is ${this.head().number})`, '/block');
    return block;
  }

  /** An app's events in blocks from `fromBlock` on, in chain order. */
  eventsOf(appId: string, fromBlock: number): LedgerEvent[] {
    this.app(appId);
    return this.events.filter((e) => e.app === appId && e.block >= fromBlock);
  }

  /** Resolves once a block above `number` is sealed, or after `ms`. */
  waitAbove(number: number, ms: number): Promise<void> {
    if (this.head().number > number) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sealed.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sealed.add(done);
    });
  }

  private nextTimestamp(): number {
    this.lastTimestamp = Math.max(Date.now(), this.lastTimestamp + 1);
    return this.lastTimestamp;
  }

  private block(number: number, parentHash: string, txIds: string[], timestamp: number): Block {
    return { number, parentHash, timestamp, txIds, hash: sha256(canonicalJson({ number, parentHash, timestamp, txIds })) };
  }
}
