import type { Checkpoint, EventsRequest } from '../contract/gateway.js';
import { InvalidInputError } from '../errors/errors.js';
import { checkAppRef, checkCheckpoint } from '../validation/input.js';
import { checkRequestObject } from './invocation.js';

/** An events request after its checks. */
export interface EventsPlan {
  appId: string;
  after?: Checkpoint;
  /** Only events of this name (never empty: an empty filter is refused, not read as "all"). */
  name?: string;
  signal?: AbortSignal;
}

/** Checks an events request: the app, an optional checkpoint, an optional non-empty name. */
export function checkEventsRequest(request: EventsRequest): EventsPlan {
  checkRequestObject(request, 'an events request');
  const { appId } = checkAppRef(request.app);
  const after = checkCheckpoint(request.after);
  if (request.name !== undefined && (typeof request.name !== 'string' || request.name.length === 0)) {
    throw new InvalidInputError('/name: an event name filter is a non-empty string', { field: '/name' });
  }
  return {
    appId,
    ...(after && { after }),
    ...(request.name !== undefined && { name: request.name }),
    ...(request.signal && { signal: request.signal }),
  };
}

/** Whether an event at `checkpoint` comes strictly after `after` (always, without one). */
export function isAfter(checkpoint: Checkpoint, after: Checkpoint | undefined): boolean {
  return !after || checkpoint.block > after.block || (checkpoint.block === after.block && checkpoint.index > after.index);
}
