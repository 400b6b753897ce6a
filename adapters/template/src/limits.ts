import type { AdapterLimits } from '@bsn/contract';

/** What this adapter accepts; the contract requires at least `MIN_LIMITS`. */
export const LIMITS: AdapterLimits = { maxValueBytes: 16_384, maxKeyBytes: 512, maxPageSize: 100 };
