/**
 * What every adapter checks before a preset-contract call reaches its chain: the request's
 * shape, its ids, the method against the preset contract's table and each argument as a key
 * or a value. One place, so every framework refuses the same inputs with the same fields.
 */
import type { AdapterLimits } from '../contract/describe.js';
import type { EvaluateRequest, SubmitRequest } from '../contract/gateway.js';
import { InvalidInputError } from '../errors/errors.js';
import { checkAppRef, checkArgs, checkKey, checkMethod, checkRequestId, checkTimeout, checkValue } from '../validation/input.js';

/** Each preset data contract method as a generic invocation calls it: whether it writes, and its parameters. */
export const PRESET_SIGNATURES = {
  put: { write: true, params: ['key', 'value'] },
  delete: { write: true, params: ['key'] },
  get: { write: false, params: ['key'] },
} as const;

export type PresetMethod = keyof typeof PRESET_SIGNATURES;
export type PresetWriteMethod = 'put' | 'delete';

/** A preset call after its checks: the method and its key (and value, for `put`). */
export interface PresetCall<M extends PresetMethod = PresetMethod> {
  method: M;
  key: string;
  value?: Uint8Array;
}

/** A preset write after its checks, before it touches a chain. */
export interface WritePlan extends PresetCall<PresetWriteMethod> {
  appId: string;
  requestId: string;
  timeoutMs?: number;
}

/** A preset read after its checks. */
export interface ReadPlan extends PresetCall<'get'> {
  appId: string;
}

type Limits = Pick<AdapterLimits, 'maxKeyBytes' | 'maxValueBytes'>;

/** Refuses anything but a non-null object, naming what was expected. */
export function checkRequestObject(request: unknown, what = 'a request'): void {
  if (typeof request !== 'object' || request === null) throw new InvalidInputError(`${what} is an object`, { field: '' });
}

/**
 * Checks a generic invocation against the preset contract's table: a string key where it
 * takes a key, bytes where it takes a value. Field pointers name the argument (`/args/1`).
 */
export function checkPresetInvocation(method: string, args: unknown, write: boolean, limits: Limits): PresetCall {
  if (!Object.hasOwn(PRESET_SIGNATURES, method)) {
    throw new InvalidInputError(
      `the preset contract has no method ${JSON.stringify(method)} (it has ${Object.keys(PRESET_SIGNATURES).join(', ')})`,
      {
        field: '/method',
      },
    );
  }
  const spec = PRESET_SIGNATURES[method as PresetMethod];
  if (spec.write !== write) {
    throw new InvalidInputError(write ? `${method} only reads: use evaluate` : `${method} writes: use submit (evaluate never writes)`, {
      field: '/method',
    });
  }
  const list = checkArgs(args);
  spec.params.forEach((param, i) => {
    const field = `/args/${i}`;
    if (param === 'key') {
      if (typeof list[i] !== 'string') throw new InvalidInputError(`argument ${i} of ${method} is a string (the key)`, { field });
      checkKey(list[i], limits, field);
    } else {
      if (!(list[i] instanceof Uint8Array)) throw new InvalidInputError(`argument ${i} of ${method} is bytes (the value)`, { field });
      checkValue(list[i], limits, field);
    }
  });
  if (list.length !== spec.params.length)
    throw new InvalidInputError(`${method} takes ${spec.params.length} argument(s), not ${list.length}`, { field: '/args' });
  const value = list[1];
  return { method: method as PresetMethod, key: list[0] as string, ...(value instanceof Uint8Array && { value }) };
}

/** Checks a submit of a preset write (put or delete) and returns its plan. */
export function checkSubmitRequest(request: SubmitRequest, limits: Limits): WritePlan {
  checkRequestObject(request);
  const requestId = checkRequestId(request.requestId);
  const { appId } = checkAppRef(request.app);
  const method = checkMethod(request.method);
  const timeoutMs = checkTimeout(request.timeoutMs);
  const call = checkPresetInvocation(method, request.args, true, limits);
  return { appId, requestId, ...(call as PresetCall<PresetWriteMethod>), ...(timeoutMs && { timeoutMs }) };
}

/** Checks an evaluate of the preset read and returns its plan. */
export function checkEvaluateRequest(request: EvaluateRequest, limits: Limits): ReadPlan {
  checkRequestObject(request);
  const { appId } = checkAppRef(request.app);
  const method = checkMethod(request.method);
  const call = checkPresetInvocation(method, request.args, false, limits);
  return { appId, ...(call as PresetCall<'get'>) };
}

/** When a write must be final by: its own timeout, or the adapter's default. */
export function deadlineOf(plan: { timeoutMs?: number }, defaultTimeoutMs: number, now = Date.now()): number {
  return now + (plan.timeoutMs ?? defaultTimeoutMs);
}
