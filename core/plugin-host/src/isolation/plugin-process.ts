/**
 * The host side of one confined plugin: its child process (started, watched, restarted with
 * back-off), the adapters connected through it (each a proxy `Adapter`, see `proxy-adapter.ts`),
 * and the signers lent to calls in flight. Everything the child sends is checked
 * (`readChildMessage`); anything malformed, any signature asked of a key no call in flight lent
 * it, and every attempt the sandbox stopped is logged at warn as
 * `plugin <name> denied: <what> <resource>`.
 *
 * When the process dies, calls in flight fail with UnavailableError (stage-appropriate; for a
 * write the outcome is unknown: retry with the same request id, which is idempotent), event
 * streams end with UnavailableError (resume after the last checkpoint received), and calls made
 * while it is down are answered UNAVAILABLE at once. It is restarted after a back-off (100 ms,
 * doubling to 10 s; reset once it stayed up 10 s) and every open adapter is connected again
 * with the same network config, so the proxies callers hold keep working.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import type { Adapter, AdapterContext, ChainEvent, EventsRequest, Logger, NetworkConfig, Signer } from '@bsn/contract';
import { ERROR_CODES, InvalidInputError, UnauthorizedError, UnavailableError, errorFromJSON, type ErrorCode } from '@bsn/contract';
import {
  PROTOCOL_VERSION,
  WRITE_METHODS,
  describeDenial,
  printable,
  readChildMessage,
  stageOf,
  toWireError,
  type CallMethod,
  type ChildMessage,
  type ConnectInfo,
  type Denial,
  type HostMessage,
  type SignerHandle,
  type WireError,
} from './channel.js';
import { isInside, type Confinement } from './confinement.js';
import { proxyAdapter } from './proxy-adapter.js';

export interface RestartPolicy {
  /** First delay after a crash. Default 100 ms. */
  initialMs?: number;
  /** The delay doubles up to this. Default 10 000 ms. */
  maxMs?: number;
  /** A process that stayed up this long restarts from `initialMs` again. Default 10 000 ms. */
  resetAfterMs?: number;
}

export interface PluginProcessOptions {
  /** `name@version`, for log lines and errors. */
  label: string;
  /** The plugin folder and its entry (relative), as the runner's loader takes them. */
  folder: string;
  entry: string;
  confinement: Confinement;
  /** Where the process's own lines go (denials, crashes, restarts); adapters log to their context's logger. */
  logger: Logger;
  restart?: RestartPolicy;
  /** How long `close()` waits after SIGTERM before SIGKILL. Default 3000 ms. */
  graceMs?: number;
  /** How long loading the entry may take. Default 30 000 ms. */
  readyTimeoutMs?: number;
  /** End the process when its last adapter closes (started again by the next `connect`). Default true. */
  endWhenIdle?: boolean;
  /** Sees every message in both directions (tests: what crossed). */
  trace?: (direction: 'to-child' | 'from-child', message: HostMessage | ChildMessage) => void;
}

/** The process could not load the plugin (or start at all). */
export class PluginStartError extends Error {
  constructor(readonly why: string) {
    super(why);
    this.name = 'PluginStartError';
  }
}

type State = 'new' | 'starting' | 'up' | 'down' | 'idle' | 'closed';

interface PendingCall {
  method: string;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  handles: number[];
}

/** One adapter connected through the process; survives restarts. */
export interface AdapterSlot {
  readonly id: number;
  readonly network: NetworkConfig;
  readonly context: AdapterContext;
  info?: ConnectInfo;
  live: boolean;
  closed: boolean;
  retry?: NodeJS.Timeout;
  retries: number;
}

const WINDOW = 32;

export class PluginProcess {
  private child: ChildProcess | undefined;
  private state: State = 'new';
  private seq = 0;
  private adapterSeq = 0;
  private handleSeq = 0;
  private readonly pending = new Map<number, PendingCall>();
  private readonly streams = new Map<number, EventStream>();
  private readonly lent = new Map<number, { signer: Signer; call: number }>();
  private readonly slots = new Map<number, AdapterSlot>();
  private failures = 0;
  private upSince = 0;
  private lastExit = '';
  private nextAttemptAt = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly upWaiters = new Set<() => void>();
  private starting: Promise<void> | undefined;
  private restarting = false;
  /** Denials seen, newest last (also logged). */
  readonly denials: Denial[] = [];
  /** How many times the process was restarted after dying. */
  restarts = 0;

  constructor(private readonly options: PluginProcessOptions) {}

  get label(): string {
    return this.options.label;
  }

  /** The running child's pid, if one runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.state === 'up';
  }

  /** Starts the process and loads the plugin; PluginStartError when it cannot. */
  async start(): Promise<void> {
    if (this.state === 'closed') throw new UnavailableError(`plugin ${this.label} is closed`);
    if (this.state === 'up') return;
    this.starting ??= this.spawnAndLoad().finally(() => (this.starting = undefined));
    await this.starting;
  }

  /** Resolves once the process is up and every open adapter is connected again (tests, after a crash). */
  whenUp(timeoutMs = 30_000): Promise<void> {
    if (this.state === 'up' && [...this.slots.values()].every((s) => s.live)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.upWaiters.delete(done);
        reject(new Error(`plugin ${this.label} not up after ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.upWaiters.add(done);
    });
  }

  private spawnAndLoad(): Promise<void> {
    const { confinement, folder, entry } = this.options;
    this.state = 'starting';
    this.upSince = 0; // set when this process is ready: the back-off resets only for one that stayed up
    let child: ChildProcess;
    try {
      child = fork(confinement.runner, [], {
        execArgv: confinement.execArgv,
        env: confinement.env,
        cwd: folder,
        serialization: 'advanced',
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
    } catch (error) {
      const why = `cannot start the plugin process: ${(error as Error).message}`;
      if (this.restarting) this.scheduleRestart(why, 0);
      else this.state = 'idle';
      return Promise.reject(new PluginStartError(why));
    }
    this.child = child;
    const isRestart = this.restarting;
    this.forwardOutput(child.stdout, 'info');
    this.forwardOutput(child.stderr, 'warn');
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(
        () => finish(new PluginStartError(`the plugin did not load within ${this.readyTimeout} ms`)),
        this.readyTimeout,
      );
      const finish = (error?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) {
          child.kill('SIGKILL');
          reject(error);
        } else {
          resolve();
        }
      };
      child.on('message', (raw: unknown) => {
        const message = readChildMessage(raw);
        if (typeof message !== 'string' && message.t === 'ready' && !settled) {
          this.options.trace?.('from-child', message);
          if (message.protocol !== PROTOCOL_VERSION) {
            finish(
              new PluginStartError(
                `the plugin runner speaks protocol ${message.protocol}, the host ${PROTOCOL_VERSION}: rebuild (npx tsc -b)`,
              ),
            );
            return;
          }
          this.state = 'up';
          this.upSince = Date.now();
          this.unrefIfIdle();
          finish();
          return;
        }
        if (typeof message !== 'string' && message.t === 'load-failed' && !settled) {
          this.options.trace?.('from-child', message);
          finish(new PluginStartError(message.why));
          return;
        }
        this.receive(child, message);
      });
      child.on('error', (error) => finish(new PluginStartError(`the plugin process failed: ${error.message}`)));
      child.on('exit', (code, signal) => {
        finish(new PluginStartError(`the plugin process ${exitWords(code, signal)} before it was ready`));
        this.onExit(child, code, signal, isRestart);
      });
      this.post(child, { t: 'load', folder, entry });
    });
  }

  private get readyTimeout(): number {
    return this.options.readyTimeoutMs ?? 30_000;
  }

  private forwardOutput(stream: Readable | null, level: 'info' | 'warn'): void {
    if (!stream) return;
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    lines.on('line', (line) => {
      if (line.trim()) this.options.logger[level](`plugin ${this.label}: ${printable(line)}`);
    });
  }

  private post(child: ChildProcess, message: HostMessage): void {
    this.options.trace?.('to-child', message);
    child.send(message);
  }

  private send(message: HostMessage): void {
    if (!this.child || !this.child.connected) throw this.unavailable('call');
    this.post(this.child, message);
  }

  // ---- incoming ----

  private receive(child: ChildProcess, message: ChildMessage | string): void {
    if (child !== this.child) return;
    if (typeof message === 'string') {
      this.deny({ permission: 'Channel', resource: message, api: 'channel' });
      return;
    }
    this.options.trace?.('from-child', message);
    switch (message.t) {
      case 'result': {
        const call = this.settle(message.id);
        call?.resolve(message.value);
        return;
      }
      case 'error': {
        const error = fromWireError(message.error);
        const call = this.settle(message.id);
        if (call) call.reject(error);
        else this.streams.get(message.id)?.fail(error);
        return;
      }
      case 'event':
        this.streams.get(message.id)?.push(message.event);
        return;
      case 'end':
        this.streams.get(message.id)?.finish();
        return;
      case 'sign-request':
        void this.sign(child, message);
        return;
      case 'log': {
        const logger = this.slots.get(message.adapter)?.context.logger ?? this.options.logger;
        logger[message.level](message.message, message.fields);
        return;
      }
      case 'denied':
        this.deny(message);
        return;
      case 'ready':
      case 'load-failed':
        this.deny({ permission: 'Channel', resource: `an unexpected ${message.t}`, api: 'channel' });
        return;
    }
  }

  private deny(denial: Denial): void {
    const { permission, resource, api } = denial;
    this.denials.push({ permission, resource, api });
    if (this.denials.length > 1000) this.denials.shift();
    this.options.logger.warn(`plugin ${this.label} denied: ${describeDenial(denial)} (${printable(api)})`, {
      plugin: this.label,
      permission,
      api,
    });
  }

  private settle(id: number): PendingCall | undefined {
    const call = this.pending.get(id);
    if (!call) return undefined;
    this.pending.delete(id);
    for (const handle of call.handles) this.lent.delete(handle);
    this.unrefIfIdle();
    return call;
  }

  private async sign(child: ChildProcess, request: Extract<ChildMessage, { t: 'sign-request' }>): Promise<void> {
    const lent = this.lent.get(request.handle);
    let reply: HostMessage;
    if (!lent || !this.pending.has(lent.call)) {
      this.deny({ permission: 'Signer', resource: `key handle ${request.handle}, which no call in flight lent it`, api: 'sign-request' });
      reply = {
        t: 'sign-result',
        id: request.id,
        error: toWireError(new UnauthorizedError('no call in flight lent this key to the plugin', { stage: 'sign' })),
      };
    } else {
      try {
        let signature;
        if (request.digest) signature = await lent.signer.signDigest(request.digest);
        else if (lent.signer.signMessage) signature = await lent.signer.signMessage(request.message!);
        else throw new InvalidInputError('this signer signs digests only (it has no signMessage)', { stage: 'sign' });
        reply = {
          t: 'sign-result',
          id: request.id,
          // A fresh object: only the signature crosses, whatever else the signer's answer holds.
          signature: {
            compact: new Uint8Array(signature.compact),
            ...(signature.recovery !== undefined && { recovery: signature.recovery }),
          },
        };
      } catch (error) {
        reply = { t: 'sign-result', id: request.id, error: toWireError(error) };
      }
    }
    if (child === this.child && child.connected) this.post(child, reply);
  }

  // ---- calls ----

  /** Connects one adapter in the process (starting it if idle). */
  async connect(network: NetworkConfig, context: AdapterContext): Promise<Adapter> {
    if (this.state === 'closed') throw new UnavailableError(`plugin ${this.label} is closed`, { stage: 'prepare' });
    if (this.state === 'idle' || this.state === 'new') await this.start();
    if (!this.options.confinement.writes.some((dir) => isInside(context.dataDir, dir))) {
      throw new InvalidInputError(
        `data dir ${context.dataDir} is not writable by the confined plugin ${this.label} (it may write ${this.options.confinement.writes.join(', ') || 'nowhere'}): name it in dataDirs when loading`,
        { field: '/dataDir' },
      );
    }
    const slot: AdapterSlot = { id: ++this.adapterSeq, network, context, live: false, closed: false, retries: 0 };
    this.slots.set(slot.id, slot);
    try {
      slot.info = (await this.request('connect', (id) => ({
        t: 'connect',
        id,
        adapter: slot.id,
        network,
        dataDir: context.dataDir,
      }))) as ConnectInfo;
    } catch (error) {
      this.slots.delete(slot.id);
      throw error;
    }
    slot.live = true;
    return proxyAdapter(this, slot);
  }

  /** One adapter method through the process; signers among `args` are lent for the call's duration. */
  call(slot: AdapterSlot, method: CallMethod, args: unknown[]): Promise<unknown> {
    if (slot.closed)
      return Promise.reject(
        new UnavailableError(`the ${this.label} adapter of network ${slot.network.name} is closed`, { stage: stageOf(method) }),
      );
    if (this.state !== 'up' || !slot.live) return Promise.reject(this.unavailable(method));
    const handles: number[] = [];
    return this.request(
      method,
      (id) => ({ t: 'call', id, adapter: slot.id, method, args: args.map((arg) => (isSigner(arg) ? this.lend(arg, id, handles) : arg)) }),
      handles,
    );
  }

  private lend(signer: Signer, call: number, handles: number[]): SignerHandle {
    const handle = ++this.handleSeq;
    this.lent.set(handle, { signer, call });
    handles.push(handle);
    return {
      $bsnSigner: handle,
      algorithm: signer.algorithm,
      publicKey: new Uint8Array(signer.publicKey),
      message: typeof signer.signMessage === 'function',
    };
  }

  private request(method: string, build: (id: number) => HostMessage, handles: number[] = []): Promise<unknown> {
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      let message: HostMessage;
      try {
        message = build(id);
        this.pending.set(id, { method, resolve, reject, handles });
        this.ref();
        this.send(message);
      } catch (error) {
        this.settle(id);
        for (const handle of handles) this.lent.delete(handle);
        reject(
          error instanceof UnavailableError
            ? error
            : new InvalidInputError(`cannot pass ${method} to the plugin process: ${(error as Error).message}`, { stage: 'validate' }),
        );
      }
    });
  }

  /** `gateway.events` through the process: pulled by the consumer, cancelled by `return()` or the signal. */
  events(slot: AdapterSlot, request: EventsRequest): AsyncIterable<ChainEvent> {
    return { [Symbol.asyncIterator]: () => new EventStream(this, slot, request) };
  }

  /** @internal */
  openStream(stream: EventStream, slot: AdapterSlot, request: Omit<EventsRequest, 'signal'>): number {
    if (slot.closed) throw new UnavailableError(`the ${this.label} adapter of network ${slot.network.name} is closed`, { stage: 'query' });
    if (this.state !== 'up' || !slot.live) throw this.unavailable('gateway.events');
    const id = ++this.seq;
    this.send({ t: 'events', id, adapter: slot.id, request });
    this.streams.set(id, stream);
    this.ref();
    return id;
  }

  /** @internal */
  pull(id: number, n: number): void {
    if (this.streams.has(id) && this.child?.connected) this.post(this.child, { t: 'pull', id, n });
  }

  /** @internal */
  closeStream(id: number, cancel: boolean): void {
    if (!this.streams.delete(id)) return;
    if (cancel && this.child?.connected) this.post(this.child, { t: 'cancel', id });
    this.unrefIfIdle();
  }

  /** Closes one adapter; the process ends with its last one (when `endWhenIdle`). */
  async closeAdapter(slot: AdapterSlot): Promise<void> {
    if (slot.closed) return;
    slot.closed = true;
    clearTimeout(slot.retry);
    this.slots.delete(slot.id);
    if (this.state === 'up' && slot.live) {
      slot.live = false;
      await Promise.race([
        this.request('close', (id) => ({ t: 'close', id, adapter: slot.id })).catch(() => {}),
        new Promise((resolve) => setTimeout(resolve, this.options.graceMs ?? 3000).unref()),
      ]);
    }
    if (this.slots.size === 0 && (this.options.endWhenIdle ?? true) && this.state !== 'closed') await this.stop('idle');
  }

  /** Ends the process (SIGTERM, then SIGKILL after the grace period) and refuses further calls. Idempotent. */
  async close(): Promise<void> {
    for (const slot of this.slots.values()) {
      slot.closed = true;
      clearTimeout(slot.retry);
    }
    this.slots.clear();
    await this.stop('closed');
  }

  private async stop(next: 'idle' | 'closed'): Promise<void> {
    if (this.state === 'closed') return;
    this.state = next;
    clearTimeout(this.restartTimer);
    const child = this.child;
    const closed = new UnavailableError(`plugin ${this.label} was closed`);
    for (const [id, call] of [...this.pending]) {
      this.pending.delete(id);
      call.reject(closed);
    }
    this.lent.clear();
    for (const stream of [...this.streams.values()]) stream.fail(closed);
    this.streams.clear();
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      this.child = undefined;
      return;
    }
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), this.options.graceMs ?? 3000);
    await exited;
    clearTimeout(timer);
    if (this.child === child) this.child = undefined;
  }

  // ---- crashes ----

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null, isRestart: boolean): void {
    if (child !== this.child) return;
    this.child = undefined;
    if (this.state === 'idle' || this.state === 'closed') return;
    const why = exitWords(code, signal);
    this.lastExit = why;
    const wasStarting = this.state === 'starting';
    this.state = 'down';
    const inFlight = [...this.pending];
    this.pending.clear();
    this.lent.clear();
    for (const [, call] of inFlight) {
      const write = WRITE_METHODS.has(call.method);
      call.reject(
        new UnavailableError(
          `plugin ${this.label}: its process ${why} while ${call.method} was in flight${write ? '; the outcome is unknown — retry with the same request id' : ''}`,
          { stage: stageOf(call.method) },
        ),
      );
    }
    for (const stream of [...this.streams.values()]) {
      stream.fail(
        new UnavailableError(
          `plugin ${this.label}: its process ${why}; the event stream ended — resume after the last checkpoint received`,
          {
            stage: 'query',
          },
        ),
      );
    }
    this.streams.clear();
    for (const slot of this.slots.values()) slot.live = false;
    // A start that `start()` asked for is the caller's to report; only restarts are retried.
    if (wasStarting && !isRestart) {
      this.state = 'idle';
      return;
    }
    this.scheduleRestart(`its process ${why}`, inFlight.length);
  }

  /** The next attempt, after the back-off: 100 ms doubling to 10 s, from the start again once it stayed up. */
  private scheduleRestart(why: string, inFlight: number): void {
    this.state = 'down';
    if (this.upSince && Date.now() - this.upSince >= (this.options.restart?.resetAfterMs ?? 10_000)) this.failures = 0;
    const delay = Math.min(this.options.restart?.maxMs ?? 10_000, (this.options.restart?.initialMs ?? 100) * 2 ** this.failures);
    this.failures++;
    this.nextAttemptAt = Date.now() + delay;
    this.options.logger.error(
      `plugin ${this.label}: ${why}; ${inFlight} call(s) in flight answered UNAVAILABLE; restarting in ${delay} ms`,
      { plugin: this.label, networks: [...this.slots.values()].map((s) => s.network.name) },
    );
    this.restartTimer = setTimeout(() => void this.restart(), delay);
    this.restartTimer.unref();
  }

  private async restart(): Promise<void> {
    if (this.state !== 'down') return;
    this.restarting = true;
    try {
      await this.start();
    } catch (error) {
      // The exit handler scheduled the next attempt (a load failure killed the child, so it exits too).
      this.options.logger.error(`plugin ${this.label}: restart failed: ${(error as Error).message}`);
      return;
    } finally {
      this.restarting = false;
    }
    this.restarts++;
    await Promise.all([...this.slots.values()].map((slot) => this.reconnect(slot, false)));
    const live = [...this.slots.values()].filter((s) => s.live).length;
    this.options.logger.info(
      `plugin ${this.label}: process restarted (pid ${this.pid}); ${live} of ${this.slots.size} network(s) reconnected`,
    );
    this.notifyUp();
  }

  private async reconnect(slot: AdapterSlot, notify = true): Promise<void> {
    if (slot.closed || slot.live || this.state !== 'up') return;
    try {
      slot.info = (await this.request('connect', (id) => ({
        t: 'connect',
        id,
        adapter: slot.id,
        network: slot.network,
        dataDir: slot.context.dataDir,
      }))) as ConnectInfo;
      slot.live = true;
      slot.retries = 0;
      if (notify) this.notifyUp();
    } catch (error) {
      if (slot.closed || this.state !== 'up') return;
      const delay = Math.min(this.options.restart?.maxMs ?? 10_000, 1000 * 2 ** slot.retries++);
      this.options.logger.warn(
        `plugin ${this.label}: network ${slot.network.name} not reconnected after a restart: ${(error as Error).message}; trying again in ${delay} ms`,
      );
      slot.retry = setTimeout(() => void this.reconnect(slot), delay);
      slot.retry.unref();
    }
  }

  private notifyUp(): void {
    if (this.state !== 'up' || ![...this.slots.values()].every((s) => s.live)) return;
    for (const waiter of [...this.upWaiters]) {
      this.upWaiters.delete(waiter);
      waiter();
    }
  }

  private unavailable(method: string): UnavailableError {
    const stage = stageOf(method);
    if (this.state === 'closed' || this.state === 'idle') return new UnavailableError(`plugin ${this.label} is closed`, { stage });
    if (this.state === 'down') {
      const wait = Math.max(0, this.nextAttemptAt - Date.now());
      return new UnavailableError(`plugin ${this.label} is not running: its process ${this.lastExit}; restarting in ${wait} ms`, { stage });
    }
    return new UnavailableError(`plugin ${this.label} is restarting (its process ${this.lastExit || 'is starting'}); try again shortly`, {
      stage,
    });
  }

  // Idle plugin processes do not keep the node's event loop alive; calls in flight do.
  private ref(): void {
    const child = this.child;
    if (!child) return;
    child.ref();
    child.channel?.ref();
  }

  private unrefIfIdle(): void {
    const child = this.child;
    if (!child || this.pending.size > 0 || this.streams.size > 0) return;
    child.unref();
    child.channel?.unref();
    (child.stdout as { unref?: () => void } | null)?.unref?.();
    (child.stderr as { unref?: () => void } | null)?.unref?.();
  }
}

function exitWords(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `was killed by ${signal}` : `exited with code ${code}`;
}

function isSigner(value: unknown): value is Signer {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Signer).signDigest === 'function' &&
    (value as Signer).publicKey instanceof Uint8Array &&
    typeof (value as Signer).algorithm === 'string'
  );
}

/** A WireError as the typed error it was (BSN errors by code, others as plain Errors). */
export function fromWireError(wire: WireError): Error {
  if (wire.bsn && wire.code && (ERROR_CODES as readonly string[]).includes(wire.code)) {
    return errorFromJSON({
      code: wire.code as ErrorCode,
      message: wire.message,
      ...(wire.stage && { stage: wire.stage }),
      ...(wire.field && { field: wire.field }),
      ...(wire.txId && { txId: wire.txId }),
      ...(wire.detail && { detail: wire.detail }),
    });
  }
  const error = new Error(wire.message);
  error.name = wire.name;
  if (wire.errno) Object.assign(error, { code: wire.errno });
  return error;
}

/** The host end of one `gateway.events` stream: at most WINDOW events granted and not yet consumed. */
class EventStream implements AsyncIterator<ChainEvent> {
  private id: number | undefined;
  private readonly buffer: ChainEvent[] = [];
  private readonly waiting: Array<{ resolve(r: IteratorResult<ChainEvent>): void; reject(e: unknown): void }> = [];
  private done = false;
  private error: unknown;
  private granted = 0;
  private readonly signal: AbortSignal | undefined;
  private readonly onAbort = () => void this.return();

  constructor(
    private readonly proc: PluginProcess,
    slot: AdapterSlot,
    request: EventsRequest,
  ) {
    const { signal, ...rest } = request;
    this.signal = signal;
    if (signal?.aborted) {
      this.done = true;
      return;
    }
    try {
      this.id = proc.openStream(this, slot, rest);
      this.grant(WINDOW);
      signal?.addEventListener('abort', this.onAbort, { once: true });
    } catch (error) {
      this.error = error;
      this.done = true;
    }
  }

  private grant(n: number): void {
    if (this.id === undefined || this.done || n <= 0) return;
    this.granted += n;
    this.proc.pull(this.id, n);
  }

  push(event: ChainEvent): void {
    if (this.done) return;
    this.granted--;
    const waiter = this.waiting.shift();
    if (waiter) waiter.resolve({ value: event, done: false });
    else this.buffer.push(event);
    this.topUp();
  }

  private topUp(): void {
    const inFlight = this.granted + this.buffer.length;
    if (inFlight <= WINDOW / 2) this.grant(WINDOW - inFlight);
  }

  finish(): void {
    this.end();
    for (const w of this.waiting.splice(0)) w.resolve({ value: undefined, done: true });
  }

  fail(error: unknown): void {
    if (this.done) return;
    this.end();
    const waiters = this.waiting.splice(0);
    if (waiters.length === 0) this.error = error;
    for (const w of waiters) w.reject(error);
  }

  private end(): void {
    this.done = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    if (this.id !== undefined) this.proc.closeStream(this.id, false);
  }

  next(): Promise<IteratorResult<ChainEvent>> {
    const event = this.buffer.shift();
    if (event) {
      this.topUp();
      return Promise.resolve({ value: event, done: false });
    }
    if (this.error !== undefined) {
      const error = this.error;
      this.error = undefined;
      return Promise.reject(error);
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  return(): Promise<IteratorResult<ChainEvent>> {
    if (!this.done) {
      this.done = true;
      this.signal?.removeEventListener('abort', this.onAbort);
      if (this.id !== undefined) this.proc.closeStream(this.id, true);
    }
    this.buffer.length = 0;
    this.error = undefined;
    for (const w of this.waiting.splice(0)) w.resolve({ value: undefined, done: true });
    return Promise.resolve({ value: undefined, done: true });
  }
}

export type { EventStream };
