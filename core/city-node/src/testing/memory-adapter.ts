/**
 * Test support: an in-memory adapter honouring the contract's preset KV, gateway (hosted and
 * user-key writes, events with resume) and lifecycle, so gateway tests run without a chain.
 * The end-to-end tests use the real Ethereum adapter on anvil.
 */
import { createHash } from 'node:crypto';
import type {
  Adapter,
  AdapterFactory,
  AdapterDescription,
  ChainEvent,
  Checkpoint,
  EventsRequest,
  PreparedTransaction,
  Receipt,
  SubmitRequest,
  ChainAccount,
  CompactSignature,
  KeyAlgorithm,
  Signer,
  AppInfo,
  AppSpec,
  KvEntry,
  KvHistoryEntry,
} from '@bsn/contract';
import { verifyDigest, fromHex, toHex, ConflictError, InvalidInputError, NotFoundError, UnauthorizedError } from '@bsn/contract';

interface MemApp {
  info: AppInfo;
  kv: Map<string, KvEntry>;
  history: Map<string, KvHistoryEntry[]>;
  events: ChainEvent[];
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export class MemoryChain {
  height = 0;
  apps = new Map<string, MemApp>();
  receipts = new Map<string, { hash: string; receipt: Receipt }>();
  private waiters: Array<() => void> = [];
  /** Milliseconds each write takes to "commit". */
  delayMs = 0;

  notify(): void {
    const w = this.waiters;
    this.waiters = [];
    w.forEach((f) => f());
  }

  wait(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  }
}

const accountId = (publicKey: Uint8Array) => `mem:${toHex(publicKey).slice(2, 42)}`;

export function memoryAdapter(chain = new MemoryChain(), framework = 'memory'): Adapter {
  const app = (appId: string): MemApp => {
    const a = chain.apps.get(appId);
    if (!a) throw new NotFoundError(`no app ${appId}`);
    return a;
  };
  const write = async (request: SubmitRequest, from: string): Promise<Receipt> => {
    const a = app(request.app.appId);
    const hash = createHash('sha256')
      .update(JSON.stringify([request.method, request.args.map((x) => (typeof x === 'string' ? x : toHex(x)))]))
      .digest('hex');
    const prior = chain.receipts.get(`${request.app.appId}/${request.requestId}`);
    if (prior) {
      if (prior.hash !== hash) throw new ConflictError('request id reused');
      return prior.receipt;
    }
    if (!a.info.members.includes(from) && a.info.admin !== from) throw new UnauthorizedError(`${from} is not a member`);
    if (chain.delayMs) await new Promise((r) => setTimeout(r, chain.delayMs));
    const block = ++chain.height;
    const txId = `0x${createHash('sha256').update(`${block}/${request.requestId}`).digest('hex')}`;
    const key = String(request.args[0]);
    let events: ChainEvent[];
    if (request.method === 'put') {
      const value = request.args[1];
      const bytes = typeof value === 'string' ? enc.encode(value) : value!;
      if (!bytes || bytes.length === 0) throw new InvalidInputError('empty value', { field: '/args/1' });
      a.kv.set(key, { key, value: bytes, txId, block });
      a.history.set(key, [...(a.history.get(key) ?? []), { txId, block, timestamp: Date.now(), value: bytes }]);
      events = [{ app: request.app.appId, name: 'kv.put', payload: enc.encode(key), txId, checkpoint: { block, index: 0 } }];
    } else if (request.method === 'delete') {
      if (!a.kv.has(key)) throw new NotFoundError(`no key ${key}`);
      a.kv.delete(key);
      a.history.set(key, [...(a.history.get(key) ?? []), { txId, block, timestamp: Date.now(), value: null }]);
      events = [{ app: request.app.appId, name: 'kv.delete', payload: enc.encode(key), txId, checkpoint: { block, index: 0 } }];
    } else {
      throw new InvalidInputError(`no method ${request.method}`, { field: '/method' });
    }
    a.events.push(...events);
    const receipt: Receipt = {
      txId,
      requestId: request.requestId,
      status: 'committed',
      block: { number: block, hash: txId },
      events,
      timestamp: Date.now(),
    };
    chain.receipts.set(`${request.app.appId}/${request.requestId}`, { hash, receipt });
    chain.notify();
    return receipt;
  };
  const digestOf = (r: SubmitRequest) =>
    createHash('sha256')
      .update(JSON.stringify([r.app.appId, r.requestId, r.method, r.args.map((x) => (typeof x === 'string' ? x : toHex(x)))]))
      .digest();

  const description: AdapterDescription = {
    framework,
    adapter: { name: '@bsn/memory', version: '0.0.0' },
    adapterApi: '1.0.0',
    frameworkVersions: ['*'],
    keyAlgorithms: ['secp256k1'],
    finality: { kind: 'immediate' },
    capabilities: [
      'describe',
      'keys.hosted',
      'keys.user',
      'gateway.submit',
      'gateway.evaluate',
      'gateway.events',
      'lifecycle.create',
      'lifecycle.members',
      'kv.preset',
    ],
    limits: { maxValueBytes: 65536, maxKeyBytes: 256, maxPageSize: 100 },
  };

  const adapter: Adapter = {
    describe: () => description,
    identity: {
      accountAlgorithms: () => ['secp256k1'],
      accountFor: async (publicKey: Uint8Array, algorithm: KeyAlgorithm): Promise<ChainAccount> => ({
        framework,
        algorithm,
        publicKey: toHex(publicKey),
        id: accountId(publicKey),
      }),
      provision: async (signer: Signer) => ({
        framework,
        algorithm: signer.algorithm,
        publicKey: toHex(signer.publicKey),
        id: accountId(signer.publicKey),
      }),
    },
    gateway: {
      submit: (request, signer) => write(request, accountId(signer.publicKey)),
      prepare: async (request, account): Promise<PreparedTransaction> => ({
        request,
        algorithm: account.algorithm,
        publicKey: toHex(account.publicKey),
        digest: toHex(digestOf(request)),
        payload: '',
        expiresAt: Date.now() + 60_000,
      }),
      submitPrepared: async (prepared: PreparedTransaction, signature: CompactSignature) => {
        const pub = fromHex(prepared.publicKey);
        if (!verifyDigest(prepared.algorithm, pub, digestOf(prepared.request), signature.compact))
          throw new UnauthorizedError('bad transaction signature');
        return write(prepared.request, accountId(pub));
      },
      evaluate: async (request) => {
        const entry = app(request.app.appId).kv.get(String(request.args[0]));
        if (!entry) throw new NotFoundError('absent');
        return { result: entry.value, block: chain.height };
      },
      events: (request: EventsRequest) => ({
        async *[Symbol.asyncIterator]() {
          let after: Checkpoint | undefined = request.after;
          const a = app(request.app.appId);
          while (!request.signal?.aborted) {
            const next = a.events.filter(
              (e) => !after || e.checkpoint.block > after.block || (e.checkpoint.block === after.block && e.checkpoint.index > after.index),
            );
            for (const e of next) {
              after = e.checkpoint;
              if (!request.name || e.name === request.name) yield e;
            }
            if (!next.length) await chain.wait(request.signal);
          }
        },
      }),
      block: async () => {
        throw new NotFoundError('no blocks');
      },
      transaction: async () => {
        throw new NotFoundError('no txs');
      },
      health: async () => ({ ok: true, height: chain.height, node: 'memory/0', latencyMs: 0 }),
    },
    lifecycle: {
      create: async (spec: AppSpec, admin: Signer) => {
        if (chain.apps.has(spec.appId)) throw new ConflictError(`app ${spec.appId} exists`);
        const info: AppInfo = {
          appId: spec.appId,
          framework,
          mode: spec.mode,
          placement: spec.placement,
          state: 'active',
          location: { memory: spec.appId },
          contract: { kind: spec.contract.kind, version: 1 },
          admin: accountId(admin.publicKey),
          members: spec.members.map((m) => m.id),
        };
        chain.apps.set(spec.appId, { info, kv: new Map(), history: new Map(), events: [] });
        return info;
      },
      get: async (ref) => app(ref.appId).info,
      upgrade: async (ref) => app(ref.appId).info,
      addMember: async (ref, member) => {
        const a = app(ref.appId);
        if (!a.info.members.includes(member.id)) a.info.members.push(member.id);
        return a.info;
      },
      removeMember: async (ref) => app(ref.appId).info,
      freeze: async (ref) => app(ref.appId).info,
      unfreeze: async (ref) => app(ref.appId).info,
    },
    kv: {
      put: (r, signer) => write({ app: r.app, method: 'put', args: [r.key, r.value], requestId: r.requestId }, accountId(signer.publicKey)),
      delete: (r, signer) => write({ app: r.app, method: 'delete', args: [r.key], requestId: r.requestId }, accountId(signer.publicKey)),
      get: async (ref, key) => app(ref.appId).kv.get(key) ?? null,
      history: async (ref, key) => app(ref.appId).history.get(key) ?? [],
      list: async (ref, prefix) => ({
        entries: [...app(ref.appId).kv.values()]
          .filter((e) => e.key.startsWith(prefix))
          .sort((x, y) => Buffer.compare(Buffer.from(x.key), Buffer.from(y.key))),
      }),
    },
    close: async () => {},
  };
  return adapter;
}

export const memoryFactory = (chain = new MemoryChain()): AdapterFactory => ({
  connect: async (network) => memoryAdapter(chain, network.framework),
});
export { dec as textDecoder };
