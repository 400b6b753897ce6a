/**
 * App codes belong to their portal: two portals may each have an app `demo`, and nothing a
 * caller sends can tell an app of another portal from one that does not exist. The registry
 * and the chain know an app by its key, `<portal>:<code>` (within the contract's 128-character
 * id rule: codes are at most 63 characters, portals 64).
 */
import type { ChainEvent } from '@bsn/contract';
import type { App } from './registry/registry.js';

export const APP_CODE_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
export const APP_CODE_RULE = 'must be 1-63 of A-Z a-z 0-9 . _ - starting with a letter or digit';

/** The registry's and the chain's name for an app of `portal`. */
export const appKey = (portal: string, code: string): string => `${portal}:${code}`;

/** The code a caller of the app's portal knows it by. */
export function localCode(app: Pick<App, 'code' | 'portal'>): string {
  const prefix = `${app.portal}:`;
  return app.code.startsWith(prefix) ? app.code.slice(prefix.length) : app.code;
}

/** An app named in a grant: `<portal>:<code>`, or a bare code meaning the caller's portal. */
export const grantPeerKey = (callerPortal: string, peer: string): string => (peer.includes(':') ? peer : appKey(callerPortal, peer));

/** A chain event as the app's caller sees it: named by the app's own code. */
export const eventForCaller = (event: ChainEvent, app: Pick<App, 'code' | 'portal'>): ChainEvent =>
  event.app === app.code ? { ...event, app: localCode(app) } : event;
