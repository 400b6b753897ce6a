/**
 * The confined child: one process per plugin, started by the node (`PluginProcess`) with
 * Node's permission model. It installs the guards, imports the plugin's entry when told to,
 * and serves the adapters the node connects through it, one message at a time on the host
 * channel (`channel.ts`). Signers it hands the adapter are stand-ins: each signature is asked
 * of the node, which keeps the key.
 *
 * Kept tiny: Node's own modules, the channel, the guards and the entry loader — nothing a
 * plugin folder would have to be allowed to read besides.
 */
import type { Adapter, AdapterFactory, ChainEvent, CompactSignature, Logger, Signer } from '@bsn/contract';
import { importEntry } from '../loader.js';
import {
  OPTIONAL_INTERCHAIN,
  PROTOCOL_VERSION,
  isSignerHandle,
  toWireError,
  type ChildMessage,
  type ConnectInfo,
  type HostMessage,
  type LogLevel,
  type WireError,
} from './channel.js';
import { installGuards } from './guards.js';

const guards = installGuards((denial) => send({ t: 'denied', ...denial }));

function send(message: ChildMessage): void {
  guards.post(message);
}

let factory: AdapterFactory | undefined;
const adapters = new Map<number, Adapter>();

interface Stream {
  iterator: AsyncIterator<ChainEvent>;
  abort: AbortController;
  credit: number;
  pumping: boolean;
  cancelled: boolean;
}
const streams = new Map<number, Stream>();

let signSeq = 0;
const signing = new Map<number, { resolve(signature: CompactSignature): void; reject(error: unknown): void }>();

/** An error the adapter can test with `isBsnError` (shape: an Error with a BSN code). */
function errorFromWire(wire: WireError): Error {
  const error = Object.assign(new Error(wire.message), { name: wire.name });
  if (wire.code !== undefined) Object.assign(error, { code: wire.code, retryable: wire.code === 'UNAVAILABLE' || wire.code === 'TIMEOUT' });
  for (const key of ['stage', 'field', 'txId', 'detail'] as const) if (wire[key] !== undefined) Object.assign(error, { [key]: wire[key] });
  return error;
}

function askSignature(handle: number, what: { digest: Uint8Array } | { message: Uint8Array }): Promise<CompactSignature> {
  const id = ++signSeq;
  return new Promise((resolve, reject) => {
    signing.set(id, { resolve, reject });
    const bytes = 'digest' in what ? { digest: new Uint8Array(what.digest) } : { message: new Uint8Array(what.message) };
    send({ t: 'sign-request', id, handle, ...bytes });
  });
}

/** Arguments as the adapter gets them: each signer handle becomes a stand-in that asks the node. */
function revive(arg: unknown): unknown {
  if (!isSignerHandle(arg)) return arg;
  const handle = arg.$bsnSigner;
  const signer: Signer = {
    algorithm: arg.algorithm,
    publicKey: arg.publicKey,
    signDigest: (digest: Uint8Array) => askSignature(handle, { digest }),
    ...(arg.message && { signMessage: (message: Uint8Array) => askSignature(handle, { message }) }),
  };
  return signer;
}

function loggerFor(adapter: number): Logger {
  const line = (level: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    try {
      send({ t: 'log', adapter, level, message: String(message), ...(fields !== undefined && { fields }) });
    } catch {
      // fields that cannot cross: send the line without them
      send({ t: 'log', adapter, level, message: String(message) });
    }
  };
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}

function answer(id: number, work: () => unknown, what: string): void {
  Promise.resolve()
    .then(work)
    .then(
      (value) => {
        try {
          send({ t: 'result', id, value });
        } catch (error) {
          fail(id, new Error(`the answer to ${what} cannot cross the process boundary: ${(error as Error).message}`));
        }
      },
      (error: unknown) => fail(id, error, what),
    );
}

function fail(id: number, error: unknown, what = 'adapter'): void {
  // A denial inside Node's module loader (an import of a file outside) passes no wrapper: name it here.
  guards.note(error, what);
  send({ t: 'error', id, error: toWireError(error) });
}

function adapterOf(id: number): Adapter {
  const adapter = adapters.get(id);
  if (!adapter) throw Object.assign(new Error(`adapter ${id} is not connected in this process`), { code: 'UNAVAILABLE' });
  return adapter;
}

async function pump(id: number, stream: Stream): Promise<void> {
  if (stream.pumping) return;
  stream.pumping = true;
  try {
    while (stream.credit > 0 && !stream.cancelled) {
      const next = await stream.iterator.next();
      if (stream.cancelled) return;
      if (next.done) {
        streams.delete(id);
        send({ t: 'end', id });
        return;
      }
      stream.credit--;
      send({ t: 'event', id, event: next.value });
    }
  } catch (error) {
    streams.delete(id);
    if (!stream.cancelled) fail(id, error, 'gateway.events');
  } finally {
    stream.pumping = false;
  }
}

async function closeAll(): Promise<void> {
  const closing = [...adapters.values()].map((a) => Promise.resolve().then(() => a.close()));
  adapters.clear();
  await Promise.race([Promise.allSettled(closing), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
}

function onMessage(message: HostMessage): void {
  switch (message.t) {
    case 'load': {
      importEntry(message.folder, message.entry).then(
        (result) => {
          if (!result.ok) {
            send({ t: 'load-failed', why: result.why });
            return;
          }
          factory = result.factory;
          send({ t: 'ready', protocol: PROTOCOL_VERSION, pid: process.pid });
        },
        (error: unknown) =>
          send({ t: 'load-failed', why: `cannot import entry ${message.entry}: ${(error as Error)?.message ?? String(error)}` }),
      );
      return;
    }
    case 'connect': {
      const { id, adapter: adapterId, network, dataDir } = message;
      answer(
        id,
        async () => {
          if (!factory) throw new Error('the plugin is not loaded');
          const adapter = await factory.connect(network, { logger: loggerFor(adapterId), dataDir });
          adapters.set(adapterId, adapter);
          const info: ConnectInfo = {
            description: adapter.describe(),
            accountAlgorithms: adapter.identity.accountAlgorithms(),
            ...(adapter.interchain && {
              interchain: {
                optional: OPTIONAL_INTERCHAIN.filter((m) => typeof adapter.interchain?.[m] === 'function'),
              },
            }),
          };
          return info;
        },
        'connect',
      );
      return;
    }
    case 'call': {
      const { id, method, args } = message;
      answer(
        id,
        () => {
          const adapter = adapterOf(message.adapter) as unknown as Record<string, Record<string, unknown> | undefined>;
          const [part, name] = method.split('.') as [string, string];
          const target = adapter[part];
          const fn = target?.[name];
          if (typeof fn !== 'function') throw new TypeError(`the adapter has no ${method}`);
          return (fn as (...a: unknown[]) => unknown).apply(target, args.map(revive));
        },
        method,
      );
      return;
    }
    case 'close': {
      const { id, adapter } = message;
      answer(
        id,
        async () => {
          const a = adapters.get(adapter);
          adapters.delete(adapter);
          await a?.close();
        },
        'close',
      );
      return;
    }
    case 'events': {
      const { id, request } = message;
      try {
        const abort = new AbortController();
        const iterable = adapterOf(message.adapter).gateway.events({ ...request, signal: abort.signal });
        streams.set(id, { iterator: iterable[Symbol.asyncIterator](), abort, credit: 0, pumping: false, cancelled: false });
      } catch (error) {
        fail(id, error);
      }
      return;
    }
    case 'pull': {
      const stream = streams.get(message.id);
      if (!stream) return;
      stream.credit += message.n;
      void pump(message.id, stream);
      return;
    }
    case 'cancel': {
      const stream = streams.get(message.id);
      if (!stream) return;
      streams.delete(message.id);
      stream.cancelled = true;
      stream.abort.abort();
      void Promise.resolve()
        .then(() => stream.iterator.return?.())
        .catch(() => {});
      return;
    }
    case 'sign-result': {
      const waiting = signing.get(message.id);
      if (!waiting) return;
      signing.delete(message.id);
      if (message.signature) waiting.resolve(message.signature);
      else waiting.reject(errorFromWire(message.error ?? { bsn: false, name: 'Error', message: 'the node did not sign' }));
      return;
    }
  }
}

process.on('message', (message) => onMessage(message as HostMessage));
// The node is gone: so is its plugin.
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => {
  void closeAll().finally(() => process.exit(0));
});
// A terminal's Ctrl-C (or hang-up) reaches the whole process group: the node that heard it stops
// its plugins itself, in order; dying first would only have it log a crash and restart us.
process.on('SIGINT', () => {});
process.on('SIGHUP', () => {});
// A denial the plugin let escape is named before the process dies of it.
process.on('uncaughtExceptionMonitor', (error) => guards.note(error, 'uncaught'));
