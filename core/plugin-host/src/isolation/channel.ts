/**
 * The one typed channel between the node and a confined plugin process: Node's child-process
 * IPC with `serialization: 'advanced'` (V8 structured clone, so Uint8Array, Map, BigInt and
 * Date cross as themselves). Every message is one of the unions below; the host checks each
 * message it receives (`readChildMessage`) and names anything else as a denied attempt.
 *
 * This module has no runtime imports: the child runner loads it before the plugin, inside the
 * permission model, and must not need anything beyond its own folder.
 *
 * The exchange, host ⇄ child:
 *   load → ready | load-failed                     once per process: import the entry, find the factory
 *   connect → result(ConnectInfo) | error          one adapter per connected network
 *   call → result | error                          one adapter method (`kv.put`, `gateway.submit`…)
 *   close → result | error                         closes one adapter
 *   events → event* (as credit allows) end | error  `gateway.events`; the host grants credit by `pull`,
 *   pull, cancel                                    so a slow consumer holds the child's iterator back
 *   ← sign-request → sign-result                    a lent signer: the key stays in the host
 *   ← log, ← denied                                 the adapter's log lines; attempts the sandbox stopped
 */
import type {
  AdapterDescription,
  ChainEvent,
  CompactSignature,
  ErrorCode,
  EventsRequest,
  FailureStage,
  FrameworkDetail,
  KeyAlgorithm,
  NetworkConfig,
} from '@bsn/contract';

/** Bumped on any change to the messages; the host refuses a runner built for another. */
export const PROTOCOL_VERSION = 2;

/** Adapter methods a `call` may name, as `<part>.<method>`. */
export const CALL_METHODS = [
  'identity.accountFor',
  'identity.provision',
  'gateway.submit',
  'gateway.prepare',
  'gateway.submitPrepared',
  'gateway.evaluate',
  'gateway.block',
  'gateway.transaction',
  'gateway.health',
  'lifecycle.create',
  'lifecycle.get',
  'lifecycle.upgrade',
  'lifecycle.addMember',
  'lifecycle.removeMember',
  'lifecycle.freeze',
  'lifecycle.unfreeze',
  'kv.put',
  'kv.get',
  'kv.delete',
  'kv.history',
  'kv.list',
  'interchain.emit',
  'interchain.evidence',
  'interchain.verify',
  'interchain.deliver',
  'interchain.trustRoots',
  'interchain.configureDelivery',
  'interchain.setGrant',
  'interchain.recordTimeout',
  'interchain.acknowledge',
  'interchain.closeTimedOut',
  'interchain.packetState',
] as const;
export type CallMethod = (typeof CALL_METHODS)[number];

/** Calls that write: when the process dies under one, its outcome is unknown (retry with the same request id). */
export const WRITE_METHODS: ReadonlySet<string> = new Set<CallMethod>([
  'identity.provision',
  'gateway.submit',
  'gateway.submitPrepared',
  'lifecycle.create',
  'lifecycle.upgrade',
  'lifecycle.addMember',
  'lifecycle.removeMember',
  'lifecycle.freeze',
  'lifecycle.unfreeze',
  'kv.put',
  'kv.delete',
  'interchain.emit',
  'interchain.deliver',
  'interchain.configureDelivery',
  'interchain.setGrant',
  'interchain.recordTimeout',
  'interchain.acknowledge',
  'interchain.closeTimedOut',
]);

/** The members of `Interchain` an adapter may leave out; the proxy has exactly those the adapter has. */
export const OPTIONAL_INTERCHAIN = [
  'deliver',
  'trustRoots',
  'configureDelivery',
  'setGrant',
  'recordTimeout',
  'acknowledge',
  'closeTimedOut',
  'packetState',
] as const;
export type OptionalInterchainMember = (typeof OPTIONAL_INTERCHAIN)[number];

/** The stage an UNAVAILABLE answer names for a call the process could not finish. */
export function stageOf(method: string): FailureStage {
  if (method === 'gateway.prepare') return 'prepare';
  return WRITE_METHODS.has(method) ? 'submit' : 'query';
}

/** What stands for a Signer argument on the wire: never the key, only what identifies it. */
export interface SignerHandle {
  $bsnSigner: number;
  algorithm: KeyAlgorithm;
  publicKey: Uint8Array;
  /** Whether the host's signer has `signMessage`. */
  message: boolean;
}

export function isSignerHandle(value: unknown): value is SignerHandle {
  return typeof value === 'object' && value !== null && typeof (value as { $bsnSigner?: unknown }).$bsnSigner === 'number';
}

/** The BSN error codes (kept here so the runner needs no package). */
const BSN_CODES = [
  'INVALID_INPUT',
  'UNAUTHORIZED',
  'NOT_FOUND',
  'CONFLICT',
  'REJECTED_BY_CHAIN',
  'UNAVAILABLE',
  'TIMEOUT',
] as const satisfies readonly ErrorCode[];
// Fails to compile when @bsn/contract gains a code this list lacks.
const _allCodes: Record<ErrorCode, true> = Object.fromEntries(BSN_CODES.map((c) => [c, true])) as Record<(typeof BSN_CODES)[number], true>;
void _allCodes;

/** An error as it crosses: a BSN error keeps its code, message, stage, field, tx id and framework detail. */
export interface WireError {
  bsn: boolean;
  name: string;
  message: string;
  code?: string;
  stage?: FailureStage;
  field?: string;
  txId?: string;
  detail?: FrameworkDetail;
  /** Node's `ERR_…` code of a non-BSN error, e.g. `ERR_ACCESS_DENIED`. */
  errno?: string;
}

/** Any thrown value as a WireError (structured-cloneable: the detail is JSON-like by contract). */
export function toWireError(error: unknown): WireError {
  if (typeof error !== 'object' || error === null) return { bsn: false, name: 'Error', message: String(error) };
  const e = error as Record<string, unknown>;
  const message = typeof e['message'] === 'string' ? e['message'] : String(error);
  const name = typeof e['name'] === 'string' ? e['name'] : 'Error';
  const code = e['code'];
  if (typeof code === 'string' && (BSN_CODES as readonly string[]).includes(code)) {
    const wire: WireError = { bsn: true, name, message, code };
    if (typeof e['stage'] === 'string') wire.stage = e['stage'] as FailureStage;
    if (typeof e['field'] === 'string') wire.field = e['field'];
    if (typeof e['txId'] === 'string') wire.txId = e['txId'];
    if (typeof e['detail'] === 'object' && e['detail'] !== null) wire.detail = jsonLike(e['detail']) as FrameworkDetail;
    return wire;
  }
  return { bsn: false, name, message, ...(typeof code === 'string' && { errno: code }) };
}

/** A copy holding only what structured clone carries and JSON means (functions, symbols dropped). */
function jsonLike(value: unknown, depth = 0): unknown {
  if (depth > 32) return undefined;
  if (value === null || typeof value !== 'object') {
    return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
  }
  if (value instanceof Uint8Array || value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((v) => jsonLike(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const copied = jsonLike(v, depth + 1);
    if (copied !== undefined) out[k] = copied;
  }
  return out;
}

/** What `connect` answers: the parts of the adapter the host-side proxy needs synchronously. */
export interface ConnectInfo {
  description: AdapterDescription;
  accountAlgorithms: KeyAlgorithm[];
  /** Present when the adapter has `interchain`: which of its optional members it has. */
  interchain?: { optional: OptionalInterchainMember[] };
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** An attempt the permission model (or the runner) stopped. */
export interface Denial {
  /** `FileSystemRead`, `FileSystemWrite`, `ChildProcess`, `WorkerThreads`, `Addon`, `Signal`, `Channel`, `Binding`… */
  permission: string;
  /** The path, command, process or handle the attempt was on. */
  resource: string;
  /** The API called, e.g. `fs.readFileSync`. */
  api: string;
}

export type HostMessage =
  | { t: 'load'; folder: string; entry: string }
  | { t: 'connect'; id: number; adapter: number; network: NetworkConfig; dataDir: string }
  | { t: 'call'; id: number; adapter: number; method: CallMethod; args: unknown[] }
  | { t: 'close'; id: number; adapter: number }
  | { t: 'events'; id: number; adapter: number; request: Omit<EventsRequest, 'signal'> }
  | { t: 'pull'; id: number; n: number }
  | { t: 'cancel'; id: number }
  | { t: 'sign-result'; id: number; signature?: CompactSignature; error?: WireError };

export type ChildMessage =
  | { t: 'ready'; protocol: number; pid: number }
  | { t: 'load-failed'; why: string }
  | { t: 'result'; id: number; value: unknown }
  | { t: 'error'; id: number; error: WireError }
  | { t: 'event'; id: number; event: ChainEvent }
  | { t: 'end'; id: number }
  | { t: 'sign-request'; id: number; handle: number; digest?: Uint8Array; message?: Uint8Array }
  | { t: 'log'; adapter: number; level: LogLevel; message: string; fields?: Record<string, unknown> }
  | ({ t: 'denied' } & Denial);

const LEVELS: ReadonlySet<string> = new Set(['debug', 'info', 'warn', 'error']);
const isId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max;
const MAX_SIGN_BYTES = 16 * 1024 * 1024;

/**
 * A message from the child if it is one of ChildMessage, checked field by field; otherwise a
 * string saying what is wrong with it (the host names it as a denied attempt, never acts on it).
 */
export function readChildMessage(raw: unknown): ChildMessage | string {
  if (!isRecord(raw)) return `a ${raw === null ? 'null' : typeof raw} instead of a message`;
  const m = raw;
  switch (m['t']) {
    case 'ready':
      return typeof m['protocol'] === 'number' && typeof m['pid'] === 'number' ? (m as ChildMessage) : 'a malformed ready';
    case 'load-failed':
      return isText(m['why'], 65536) ? (m as ChildMessage) : 'a malformed load-failed';
    case 'result':
      return isId(m['id']) ? (m as ChildMessage) : 'a result without a call id';
    case 'error': {
      const e = m['error'];
      return isId(m['id']) && isRecord(e) && typeof e['message'] === 'string' && typeof e['bsn'] === 'boolean'
        ? (m as ChildMessage)
        : 'a malformed error';
    }
    case 'event': {
      const e = m['event'];
      return isId(m['id']) && isRecord(e) && isRecord(e['checkpoint']) ? (m as ChildMessage) : 'a malformed event';
    }
    case 'end':
      return isId(m['id']) ? (m as ChildMessage) : 'a malformed end';
    case 'sign-request': {
      const digest = m['digest'];
      const message = m['message'];
      const one =
        (digest instanceof Uint8Array && message === undefined && digest.length > 0 && digest.length <= 64) ||
        (message instanceof Uint8Array && digest === undefined && message.length <= MAX_SIGN_BYTES);
      return isId(m['id']) && isId(m['handle']) && one ? (m as ChildMessage) : 'a malformed sign-request';
    }
    case 'log':
      return typeof m['adapter'] === 'number' &&
        typeof m['level'] === 'string' &&
        LEVELS.has(m['level']) &&
        isText(m['message'], 65536) &&
        (m['fields'] === undefined || isRecord(m['fields']))
        ? (m as ChildMessage)
        : 'a malformed log line';
    case 'denied':
      return isText(m['permission'], 64) && isText(m['resource'], 4096) && isText(m['api'], 128)
        ? (m as ChildMessage)
        : 'a malformed denial';
    default:
      return `a message of unknown type ${JSON.stringify(String(m['t'])).slice(0, 80)}`;
  }
}

/** How the host words a denial in its log: `read /path`, `spawn sh`, `signal SIGUSR1 to pid 42`. */
export function describeDenial(d: Denial): string {
  const action: Record<string, string> = {
    FileSystemRead: 'read',
    FileSystemWrite: 'write',
    ChildProcess: 'spawn',
    WorkerThreads: 'start a worker',
    Addon: 'load the native addon',
    WASI: 'use WASI',
    Signal: 'send',
    Channel: 'write on the host channel:',
    Binding: 'reach internal bindings:',
    Signer: 'sign with',
  };
  return printable(`${action[d.permission] ?? d.permission} ${d.resource}`.trim());
}

/** Control characters escaped: text from the plugin cannot start a line of its own in the node's log. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
