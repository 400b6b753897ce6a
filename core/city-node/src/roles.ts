/**
 * Who may do what beyond their own apps: the node's operators manage portals and see every
 * portal; a portal's admins manage that portal's users. One check each, so REST, gRPC and the
 * pages (which call the same API) refuse alike.
 */
import type { Caller } from './auth/authenticator.js';
import { unauthorized } from './errors.js';

export const isOperator = (caller: Caller): boolean => caller.user.role === 'operator';

/** Refuses (403 `not-operator`) a caller who is not an operator of this node. */
export function requireOperator(caller: Caller, what: string): void {
  if (!isOperator(caller))
    throw unauthorized('not-operator', `only an operator of this node ${what} (${caller.user.code} is ${caller.user.role})`);
}

/** Refuses (403 `not-portal-admin`) a caller who is neither an operator nor an admin of `portal`. */
export function requirePortalAdmin(caller: Caller, portal: string, what: string): void {
  if (isOperator(caller)) return;
  if (caller.user.role !== 'admin' || caller.user.portal !== portal)
    throw unauthorized('not-portal-admin', `only an admin of portal ${portal} or an operator ${what}`);
}
