/**
 * Runs in the confined child, before the plugin is imported. Node's permission model does the
 * stopping (file reads outside the allowed folders, writes outside the data dir, child
 * processes, workers, native addons); these wrappers only *name* what it stopped, so the host
 * can log each attempt. Two things the permission model of Node 20 does not cover are stopped
 * here: signals to any process but the plugin's own (`process.kill(process.ppid)` would reach the
 * node: SIGUSR1 opens its inspector, SIGKILL ends it), and messages of the plugin's own on the
 * host channel. Every wrapper rethrows the original error: the plugin sees what it would
 * have seen without them.
 *
 * No runtime imports beyond Node's own modules.
 */
import childProcess from 'node:child_process';
import fs from 'node:fs';
import fsPromises from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { constants } from 'node:os';
import workerThreads from 'node:worker_threads';
import type { Denial } from './channel.js';

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

const DENIED_CODES = new Set(['ERR_ACCESS_DENIED', 'ERR_DLOPEN_DISABLED']);

function describeArg(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof URL) return value.href;
  if (value instanceof Uint8Array) return Buffer.from(value).toString();
  if (typeof value === 'number') return `fd ${value}`;
  return '';
}

function accessDenied(permission: string, resource: string, message = 'Access to this API has been restricted'): Error {
  return Object.assign(new Error(message), { code: 'ERR_ACCESS_DENIED', permission, resource });
}

export interface Guards {
  /** Sends on the host channel: the runner's only way to (the plugin's own sends are denied). */
  post(message: unknown): void;
  /** Names a denial carried by `error`, once per error (for errors that escape the wrappers). */
  note(error: unknown, api: string, resource?: string): void;
}

/**
 * Wraps the entry points, captures the channel for the runner, and refreshes the ESM named
 * exports of the built-in modules so `import { readFileSync } from 'node:fs'` gets the wrapper.
 */
export function installGuards(report: (denial: Denial) => void): Guards {
  const seen = new WeakSet<object>();
  const note = (error: unknown, api: string, resource = ''): void => {
    if (typeof error !== 'object' || error === null || seen.has(error)) return;
    const e = error as { code?: unknown; permission?: unknown; resource?: unknown };
    if (typeof e.code !== 'string' || !DENIED_CODES.has(e.code)) return;
    seen.add(error);
    const permission =
      typeof e.permission === 'string' && e.permission
        ? e.permission
        : e.code === 'ERR_DLOPEN_DISABLED'
          ? 'Addon'
          : api.startsWith('process.') && api.includes('inding')
            ? 'Binding'
            : 'Unknown';
    const res = typeof e.resource === 'string' && e.resource ? e.resource : resource;
    try {
      report({ permission, resource: res.slice(0, 4096), api: api.slice(0, 128) });
    } catch {
      // the channel is gone: nothing to tell
    }
  };

  // A wrapped call made inside another (fs.readFileSync opens with fs.openSync) is left to the
  // outer one to name: the log says what the plugin called.
  let depth = 0;
  const wrap = (original: AnyFunction, api: string): AnyFunction => {
    const wrapped = function (this: unknown, ...args: unknown[]): unknown {
      if (depth > 0) return original.apply(this, args);
      const last = args.length - 1;
      if (last >= 0 && typeof args[last] === 'function') {
        const callback = args[last] as AnyFunction;
        args[last] = function (this: unknown, error: unknown, ...rest: unknown[]) {
          if (error) note(error, api, describeArg(args[0]));
          return callback.call(this, error, ...rest);
        };
      }
      let result: unknown;
      depth++;
      try {
        result = original.apply(this, args);
      } catch (error) {
        note(error, api, describeArg(args[0]) || describeArg(args[1]));
        throw error;
      } finally {
        depth--;
      }
      if (result instanceof Promise) {
        return result.catch((error: unknown) => {
          note(error, api, describeArg(args[0]));
          throw error;
        });
      }
      return result;
    };
    // Keep what hangs off the original (util.promisify.custom, realpathSync.native…).
    for (const key of Reflect.ownKeys(original)) {
      if (key === 'length' || key === 'name' || key === 'prototype') continue;
      const descriptor = Object.getOwnPropertyDescriptor(original, key);
      if (descriptor) Object.defineProperty(wrapped, key, descriptor);
    }
    Object.defineProperty(wrapped, 'name', { value: original.name });
    return wrapped;
  };

  const wrapModule = (module: Record<string, unknown>, prefix: string) => {
    for (const key of Object.keys(module)) {
      const descriptor = Object.getOwnPropertyDescriptor(module, key);
      if (!descriptor || !('value' in descriptor) || typeof descriptor.value !== 'function' || !descriptor.writable) continue;
      if (/^[A-Z]/.test(key)) continue; // classes (fs.ReadStream, fs.Stats…)
      module[key] = wrap(descriptor.value as AnyFunction, `${prefix}.${key}`);
    }
  };

  // Streams open asynchronously and report by an 'error' event: name the denial up front.
  const permission = (process as { permission?: { has(scope: string, reference?: string): boolean } }).permission;
  for (const [key, scope] of [
    ['createReadStream', 'fs.read'],
    ['createWriteStream', 'fs.write'],
  ] as const) {
    const original = fs[key] as unknown as AnyFunction;
    (fs as unknown as Record<string, unknown>)[key] = function (this: unknown, path: unknown, ...rest: unknown[]) {
      const resource = describeArg(path);
      if (permission && resource && !permission.has(scope, resource)) {
        note(accessDenied(scope === 'fs.read' ? 'FileSystemRead' : 'FileSystemWrite', resource), `fs.${key}`);
      }
      return original.call(this, path, ...rest);
    };
  }
  wrapModule(fs as unknown as Record<string, unknown>, 'fs');
  wrapModule(fsPromises as unknown as Record<string, unknown>, 'fs.promises');
  wrapModule(childProcess as unknown as Record<string, unknown>, 'child_process');

  const Worker = workerThreads.Worker;
  (workerThreads as { Worker: unknown }).Worker = new Proxy(Worker, {
    construct(target, args, newTarget) {
      try {
        return Reflect.construct(target, args, newTarget) as object;
      } catch (error) {
        note(error, 'worker_threads.Worker', describeArg(args[0]));
        throw error;
      }
    },
  });

  const proc = process as unknown as Record<string, unknown>;
  for (const key of ['dlopen', 'binding', '_linkedBinding']) {
    if (typeof proc[key] === 'function') proc[key] = wrap(proc[key] as AnyFunction, `process.${key}`);
  }

  // Its children, while they live (only a plugin granted child processes has any): it may signal
  // them and the process groups they lead (a detached child leads its own; the node is in none).
  const children = new Set<number>();
  const ChildProcess = childProcess.ChildProcess as unknown as { prototype: Record<string, unknown> };
  const rawSpawn = ChildProcess.prototype['spawn'] as AnyFunction;
  ChildProcess.prototype['spawn'] = function (this: { pid?: number; once(e: string, f: () => void): void }, ...args: unknown[]) {
    const result = rawSpawn.apply(this, args);
    const pid = this.pid;
    if (pid !== undefined) {
      children.add(pid);
      this.once('exit', () => children.delete(pid));
    }
    return result;
  };

  // Signals: only to itself and its own children. pid 0 and other negative pids name process
  // groups, which hold the node.
  const rawKill = proc['_kill'] as AnyFunction;
  proc['_kill'] = function (this: unknown, pid: unknown, signal: unknown) {
    const own = pid === process.pid || (typeof pid === 'number' && pid !== 0 && children.has(Math.abs(pid)));
    if (!own) {
      const error = accessDenied('Signal', `${signalName(signal)} to pid ${String(pid)}${pid === process.ppid ? ' (the node)' : ''}`);
      note(error, 'process.kill');
      throw error;
    }
    return rawKill.call(this, pid, signal);
  };

  // The channel: the runner keeps the original sender; the plugin's own messages are refused.
  const rawSend = proc['send'] as AnyFunction | undefined;
  const raw_send = proc['_send'] as AnyFunction | undefined;
  let runnerSending = false;
  if (rawSend && raw_send) {
    const refuse = (api: string) => {
      const error = accessDenied('Channel', 'a message of its own to the node');
      note(error, api);
      return error;
    };
    proc['_send'] = function (this: unknown, ...args: unknown[]) {
      if (!runnerSending) throw refuse('process._send');
      return raw_send.apply(this, args);
    };
    proc['send'] = function (this: unknown, ...args: unknown[]) {
      if (!runnerSending) throw refuse('process.send');
      return rawSend.apply(this, args);
    };
  }

  syncBuiltinESMExports();

  return {
    post(message: unknown) {
      if (!rawSend) throw new Error('no host channel: the runner must be started by the node (child_process.fork)');
      runnerSending = true;
      try {
        rawSend.call(process, message);
      } finally {
        runnerSending = false;
      }
    },
    note,
  };
}

function signalName(signal: unknown): string {
  if (typeof signal === 'string') return signal;
  if (typeof signal === 'number') return Object.entries(constants.signals).find(([, n]) => n === signal)?.[0] ?? `signal ${signal}`;
  return 'SIGTERM';
}
