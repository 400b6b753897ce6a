import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import type { AdapterContext, Logger } from '../contract/adapter.js';
import { NOOP_LOGGER } from '../kit/logger.js';

/** A logger that drops everything (tests and benches): the kit's `NOOP_LOGGER`. */
export const SILENT_LOGGER: Logger = NOOP_LOGGER;

/** An AdapterContext for tests: silent, writing under the system temp folder. */
export const testContext = (dataDir = tmpdir()): AdapterContext => ({ logger: SILENT_LOGGER, dataDir });

export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
export const text = (b: Uint8Array): string => new TextDecoder().decode(b);

const run = randomBytes(3).toString('hex');
let counter = 0;
/** A name no other test of this run (or an earlier run on the same chain) uses: `<prefix>-<run>-<n>`. */
export const unique = (prefix: string): string => `${prefix}-${run}-${++counter}`;
