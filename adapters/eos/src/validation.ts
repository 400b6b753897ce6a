import { inputChecks } from '@bsn/contract';
import { LIMITS } from './limits.js';

/** The standard's input rules bound to this adapter's limits. */
export const checks = inputChecks(LIMITS);
