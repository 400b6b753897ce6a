import type { AdapterLimits } from '@bsn/contract';

/**
 * What the preset contract takes on FISCO BCOS; the same numbers are compiled into
 * contracts/BsnKvApp.yul, which enforces them on chain (a test checks both agree).
 *
 * maxValueBytes = 32768: values are kept in contract storage (FISCO charges no fees and allows
 * 3 × 10⁹ gas per transaction, so the 1024 storage words of a maximal value fit easily) and
 * again in the KvWritten log that history reads. maxKeyBytes = 256, the standard's minimum
 * (keys are stored for `list`). maxPageSize = 100: one `call` returns a page's values
 * (≤ 3.2 MB) and one getLogs per distinct block finds their transactions.
 */
export const LIMITS: AdapterLimits = { maxValueBytes: 32_768, maxKeyBytes: 256, maxPageSize: 100 };
