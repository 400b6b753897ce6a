// A well-behaved plugin for the isolation tests: the preset key/value contract over an
// append-only file in its data dir (so what it acknowledged survives a crash), signatures from
// the signer it is lent, events from its own log. No dependencies: BSN errors are shaped by hand
// (an Error with a BSN `code`), as `isBsnError` accepts them.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';

const bsnError = (code, message, extra = {}) => Object.assign(new Error(message), { name: 'BsnError', code, ...extra });
const sleep = (ms, signal) =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

export default {
  async connect(network, context) {
    const file = join(context.dataDir, 'kv.jsonl');
    const log = existsSync(file)
      ? readFileSync(file, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line))
      : [];
    const waiters = new Set();
    let yielded = 0;
    const state = (key) => [...log].reverse().find((w) => w.key === key);
    const receiptOf = (w) => ({
      txId: w.txId,
      requestId: w.requestId,
      status: 'committed',
      block: { number: w.block, hash: `0x${w.block}` },
      events: [eventOf(w)],
      timestamp: w.timestamp,
    });
    const eventOf = (w) => ({
      app: w.app,
      name: w.value === null ? 'kv.delete' : 'kv.put',
      payload: new TextEncoder().encode(w.key),
      txId: w.txId,
      checkpoint: { block: w.block, index: 0 },
    });
    async function write(app, key, value, requestId, signer) {
      const earlier = log.find((w) => w.requestId === requestId);
      if (earlier) return receiptOf(earlier);
      const digest = createHash('sha256').update(`${app.appId}\0${key}\0${requestId}`).digest();
      const signature = await signer.signDigest(new Uint8Array(digest));
      if (!(signature?.compact instanceof Uint8Array) || signature.compact.length !== 64)
        throw bsnError('UNAUTHORIZED', 'the signer answered no 64-byte signature', { stage: 'sign' });
      const w = {
        app: app.appId,
        key,
        value: value === null ? null : Buffer.from(value).toString('base64'),
        requestId,
        txId: `0x${createHash('sha256').update(digest).update(signature.compact).digest('hex')}`,
        block: log.length + 1,
        timestamp: Date.now(),
        signer: Buffer.from(signer.publicKey).toString('hex'),
      };
      appendFileSync(file, `${JSON.stringify(w)}\n`);
      log.push(w);
      for (const wake of waiters) wake();
      return receiptOf(w);
    }
    const bytes = (w) => (w.value === null ? null : new Uint8Array(Buffer.from(w.value, 'base64')));
    const adapter = {
      describe: () => ({
        framework: network.framework,
        adapter: { name: 'memory-fixture', version: '1.0.0' },
        adapterApi: '1.1.0',
        frameworkVersions: ['>=1.0.0'],
        keyAlgorithms: ['secp256k1'],
        finality: { kind: 'immediate' },
        capabilities: ['describe', 'gateway.submit', 'gateway.evaluate', 'gateway.events', 'kv.preset'],
        limits: { maxValueBytes: 4096, maxKeyBytes: 256, maxPageSize: 100 },
      }),
      identity: {
        accountAlgorithms: () => ['secp256k1'],
        async accountFor(publicKey, algorithm) {
          const hex = Buffer.from(publicKey).toString('hex');
          return { framework: network.framework, algorithm, publicKey: hex, id: `acct-${hex.slice(2, 10)}` };
        },
        async provision(signer) {
          await signer.signDigest(new Uint8Array(32).fill(7));
          return adapter.identity.accountFor(signer.publicKey, signer.algorithm);
        },
      },
      gateway: {
        async submit(request, signer) {
          if (request.method !== 'put')
            throw bsnError('INVALID_INPUT', `unknown method ${request.method}`, { stage: 'validate', field: '/method' });
          return write(request.app, String(request.args[0]), request.args[1], request.requestId, signer);
        },
        async prepare() {
          throw bsnError('INVALID_INPUT', 'user-key mode is not supported by this fixture', { stage: 'prepare' });
        },
        async submitPrepared() {
          throw bsnError('INVALID_INPUT', 'user-key mode is not supported by this fixture', { stage: 'submit' });
        },
        async evaluate(request, caller) {
          const [a0, a1] = request.args;
          switch (request.method) {
            case 'get': {
              const w = state(String(a0));
              if (!w || w.value === null) throw bsnError('NOT_FOUND', `no key ${a0}`, { stage: 'query', field: '/args/0' });
              return { result: bytes(w), block: log.length };
            }
            case 'sleep':
              await sleep(Number(a0));
              return { result: new TextEncoder().encode('slept') };
            case 'fail':
              throw bsnError('REJECTED_BY_CHAIN', 'the chain said no', {
                stage: 'commit',
                field: '/args/0',
                txId: '0xabc',
                detail: {
                  framework: network.framework,
                  code: 3,
                  message: 'execution reverted: no',
                  data: { revert: { name: 'No', args: ['x'] }, big: 12345678901234567890n },
                },
              });
            case 'type-error':
              throw new TypeError('a plain bug');
            case 'yielded':
              return { result: new TextEncoder().encode(String(yielded)) };
            case 'pid':
              return { result: new TextEncoder().encode(String(process.pid)) };
            case 'caller':
              return { result: (await caller.signDigest(new Uint8Array(32).fill(1))).compact };
            case 'keep-signer':
              // A misbehaving plugin keeps the signer it was lent and uses it after the call.
              setTimeout(() => caller.signDigest(new Uint8Array(32).fill(9)).catch(() => {}), Number(a0 ?? 50));
              return { result: new Uint8Array() };
            case 'spin':
              // Blocks its event loop for good: only SIGKILL ends it.
              for (;;);
            case 'unclonable':
              return { result: new Uint8Array(), extra: () => 1 };
            default:
              throw bsnError('INVALID_INPUT', `unknown method ${request.method}`, { stage: 'validate', field: '/method' });
          }
        },
        events(request) {
          const { signal } = request;
          return (async function* () {
            let next = 0;
            while (!signal?.aborted) {
              while (next < log.length) {
                const w = log[next++];
                if (w.app !== request.app.appId) continue;
                const e = eventOf(w);
                if (
                  request.after &&
                  (e.checkpoint.block < request.after.block ||
                    (e.checkpoint.block === request.after.block && e.checkpoint.index <= request.after.index))
                )
                  continue;
                if (request.name && e.name !== request.name) continue;
                yielded++;
                yield e;
                if (signal?.aborted) return;
              }
              await new Promise((resolve) => {
                const wake = () => (waiters.delete(wake), resolve());
                waiters.add(wake);
                signal?.addEventListener('abort', wake, { once: true });
              });
            }
          })();
        },
        async block(ref) {
          const n = ref === 'latest' ? log.length : ref;
          return {
            number: n,
            hash: `0x${n}`,
            parentHash: `0x${n - 1}`,
            timestamp: 0,
            txIds: log.filter((w) => w.block === n).map((w) => w.txId),
          };
        },
        async transaction(txId) {
          const w = log.find((x) => x.txId === txId);
          if (!w) throw bsnError('NOT_FOUND', `no transaction ${txId}`, { stage: 'query' });
          return { txId, block: { number: w.block, hash: `0x${w.block}` }, valid: true, validationCode: 'VALID', events: [eventOf(w)] };
        },
        async health() {
          return { ok: true, height: log.length, node: `memory-fixture/${process.pid}`, latencyMs: 0 };
        },
      },
      lifecycle: {},
      kv: {
        put: (r, signer) => write(r.app, r.key, r.value, r.requestId, signer),
        delete: (r, signer) => write(r.app, r.key, null, r.requestId, signer),
        async get(app, key) {
          const w = [...log].reverse().find((x) => x.app === app.appId && x.key === key);
          return w && w.value !== null ? { key, value: bytes(w), txId: w.txId, block: w.block } : null;
        },
        async history(app, key) {
          return log
            .filter((x) => x.app === app.appId && x.key === key)
            .map((w) => ({ txId: w.txId, block: w.block, timestamp: w.timestamp, value: bytes(w) }));
        },
        async list(app, prefix) {
          const keys = [...new Set(log.filter((x) => x.app === app.appId && x.key.startsWith(prefix)).map((x) => x.key))].sort();
          const entries = [];
          for (const key of keys) {
            const e = await adapter.kv.get(app, key);
            if (e) entries.push(e);
          }
          return { entries };
        },
      },
      async close() {
        for (const wake of waiters) wake();
      },
    };
    context.logger.info(`memory fixture connected to ${network.name}`, { pid: process.pid });
    return adapter;
  },
};
