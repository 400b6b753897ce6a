import { expect, it } from 'vitest';
import { SILENT_LOGGER } from '../testing/index.js';
import { NOOP_LOGGER } from './logger.js';

it('NOOP_LOGGER takes every level and drops it; the tests’ SILENT_LOGGER is the same one', () => {
  for (const level of ['debug', 'info', 'warn', 'error'] as const) expect(NOOP_LOGGER[level]('message', { a: 1 })).toBeUndefined();
  expect(Object.isFrozen(NOOP_LOGGER)).toBe(true);
  expect(SILENT_LOGGER).toBe(NOOP_LOGGER);
});
