import type { AdapterLimits } from '@bsn/contract';

/**
 * What this adapter accepts. The contract checks the same bounds (contract/bsn-kv.contract.ts:
 * keys ≤ 1024 bytes, values ≤ 65536 bytes); a page is one `get_table_rows` of at most 100 rows.
 */
export const LIMITS: AdapterLimits = { maxValueBytes: 16_384, maxKeyBytes: 512, maxPageSize: 100 };
