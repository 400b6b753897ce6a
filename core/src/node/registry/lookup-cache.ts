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

export class LookupCache {
  private readonly users = new Map<string, User>();
  private readonly apps = new Map<string, App>();
  /** Positive answers only: admissions are never revoked, apps are removed only with `forgetApps`. */
  private readonly admissions = new Set<string>();

  user(code: string): User | undefined {
    return this.users.get(code);
  }

  keepUser(user: User): User {
    deepFreeze(user);
    bounded(this.users).set(user.code, user);
    return user;
  }

  forgetUser(code: string): void {
    this.users.delete(code);
  }

  app(code: string): App | undefined {
    return this.apps.get(code);
  }

  keepApp(app: App): App {
    deepFreeze(app);
    bounded(this.apps).set(app.code, app);
    return app;
  }

  forgetApp(code: string): void {
    this.apps.delete(code);
  }

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

function bounded<V>(map: Map<string, V>): Map<string, V> {
  if (map.size >= MAX_ENTRIES) map.clear();
  return map;
}

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}
