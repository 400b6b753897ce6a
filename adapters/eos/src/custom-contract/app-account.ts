/**
 * The account an app's own contract runs on. It is named from the registry and the app id (so
 * every adapter instance finds the same one; a name another key took first is passed over for
 * the next) and it is held by the app's admin alone: its owner and active permissions are the
 * admin's `active` permission — and, on active, the account's own `eosio.code`, so the contract
 * may send actions in its own name (its events). No key of the node's holds it: only the admin
 * can set its code, which is what makes an upgrade the admin's and no one else's.
 */
import { createHash } from 'node:crypto';
import { nameValue } from '../antelope/index.js';
import { PERMISSION } from '../accounts.js';
import type { AccountInfo } from '../node-api.js';

/** How many names an app's account may try before its create gives up. */
export const ACCOUNT_ATTEMPTS = 8;

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz12345';

export function appAccountOf(contract: string, appId: string, attempt = 0): string {
  const hash = createHash('sha256').update(`bsn/eos/app-contract/v1\n${contract}\n`).update(appId, 'utf8');
  if (attempt > 0) hash.update(`\n${attempt}`);
  let n = hash.digest().readBigUInt64BE(0);
  let name = '';
  for (let i = 0; i < 12; i++) {
    name += ALPHABET[Number(n % 31n)];
    n /= 31n;
  }
  return name;
}

interface Level {
  actor: string;
  permission: string;
}

/** An authority satisfied by any one of `levels` (sorted as the chain demands: by actor, then permission, as names). */
export function accountsAuthority(levels: Level[]) {
  const sorted = [...levels].sort((a, b) => {
    const [x, y] = [nameValue(a.actor), nameValue(b.actor)];
    if (x !== y) return x < y ? -1 : 1;
    const [p, q] = [nameValue(a.permission), nameValue(b.permission)];
    return p < q ? -1 : p > q ? 1 : 0;
  });
  return { threshold: 1, keys: [] as unknown[], accounts: sorted.map((permission) => ({ permission, weight: 1 })), waits: [] as unknown[] };
}

/** The owner authority (the admin) and the active one (the admin, and the contract in its own name). */
export function appAuthorities(account: string, admin: string) {
  const adminLevel = { actor: admin, permission: PERMISSION };
  return {
    owner: accountsAuthority([adminLevel]),
    active: accountsAuthority([adminLevel, { actor: account, permission: 'eosio.code' }]),
  };
}

/**
 * Whether `account` is held by `admin` alone: no key, no wait, threshold 1, and every account
 * level in it the admin's active permission or the account's own eosio.code.
 */
export function heldBy(account: AccountInfo, admin: string): boolean {
  const own = (level: Level) =>
    (level.actor === admin && level.permission === PERMISSION) ||
    (level.actor === account.account_name && level.permission === 'eosio.code');
  return account.permissions.every(
    (p) =>
      p.required_auth.threshold === 1 &&
      p.required_auth.keys.length === 0 &&
      p.required_auth.waits.length === 0 &&
      p.required_auth.accounts.length > 0 &&
      p.required_auth.accounts.every((a) => own(a.permission)) &&
      p.required_auth.accounts.some((a) => a.permission.actor === admin),
  );
}

/** Whether the active permission lets the contract act in its own name (a create that stopped before updateauth has not). */
export function hasCodePermission(account: AccountInfo): boolean {
  const active = account.permissions.find((p) => p.perm_name === 'active');
  return !!active?.required_auth.accounts.some(
    (a) => a.permission.actor === account.account_name && a.permission.permission === 'eosio.code',
  );
}
