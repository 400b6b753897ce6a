import type { Capability } from '@bsn/contract';
import type { SuiteContext } from './context.js';

export type Level = 'MUST' | 'SHOULD';

/**
 * One normative check. `id` is stable forever (a retired case keeps its id unused);
 * `capability` decides whether the case applies to an adapter.
 */
export interface ConformanceCase {
  id: string;
  title: string;
  level: Level;
  capability: Capability;
  run(ctx: SuiteContext): Promise<void>;
}

export const SUITE_NAME = 'bsn-adapter-conformance';
/** Bumped when a case is added (minor) or a case's meaning changes (major). */
export const SUITE_VERSION = '2.4.0';

/** Capabilities every adapter must claim: without them a gateway user could not rely on it at all. */
export const REQUIRED_CAPABILITIES: Capability[] = [
  'describe',
  'identity.derive',
  'gateway.submit',
  'gateway.evaluate',
  'gateway.events',
  'gateway.lookup',
  'gateway.health',
  'lifecycle.create',
  'kv.preset',
];

const ID_PATTERN = /^[A-Z]{2,4}-\d{3}$/;

export function defineCases(cases: ConformanceCase[]): ConformanceCase[] {
  for (const c of cases) {
    if (!ID_PATTERN.test(c.id)) throw new Error(`conformance case id "${c.id}" must look like GW-003`);
  }
  return cases;
}
