/**
 * The embedded registry's look-ups of users, apps and admissions, kept in memory. Every
 * authenticated request reads its user, its app and the user's admission: three queries
 * that were a tenth of the gateway's CPU per read. Only for a registry this process alone
 * writes (SQLite): it forgets what its own writes change. Instances sharing PostgreSQL see
 * each other's writes only through the database, so they do not cache.
 *
 * What is cached is frozen: a caller changing a shared record would change it for every
 * later request.
 */
import type { App, User } from './registry.js';

/** Past this many entries a map starts over: a bound, not an eviction policy. */
const MAX_ENTRIES = 20_000;

/** Records by code, frozen when kept. */
export class FrozenRecords<T extends { code: string }> {
  private readonly byCode = new Map<string, T>();

  get(code: string): T | undefined {
    return this.byCode.get(code);
  }

  keep(record: T): T {
    deepFreeze(record);
    if (this.byCode.size >= MAX_ENTRIES) this.byCode.clear();
    this.byCode.set(record.code, record);
    return record;
  }

  forget(code: string): void {
    this.byCode.delete(code);
  }

  clear(): void {
    this.byCode.clear();
  }
}

export class LookupCache {
  readonly users = new FrozenRecords<User>();
  readonly apps = new FrozenRecords<App>();
  /** Positive answers only: admissions are never revoked, apps are removed only with `forgetApps`. */
  private readonly admissions = new Set<string>();

  /** Forgets every app and admission (apps were removed). */
  forgetApps(): void {
    this.apps.clear();
    this.admissions.clear();
  }

  isAdmitted(app: string, user: string): boolean {
    return this.admissions.has(`${app}\u0000${user}`);
  }

  keepAdmission(app: string, user: string): void {
    if (this.admissions.size >= MAX_ENTRIES) this.admissions.clear();
    this.admissions.add(`${app}\u0000${user}`);
  }
}

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}
