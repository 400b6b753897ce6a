import type { AdapterLimits } from '@bsn/core';

/**
 * Limits of the preset contract on this adapter. The value and key limits are also compiled
 * into the contract (contracts/BsnInput.sol), which enforces them on chain; a test checks
 * that both agree.
 *
 * maxValueBytes = 8192. A put of n fresh bytes costs about 20 000 gas per 32-byte storage
 * word (625/byte) + 16/byte calldata + 8/byte for the KvWritten log + copying, ≈ 660 gas
 * per byte: 8 KiB ≈ 5.6 M gas. That keeps two maximal writes inside one block of geth
 * --dev's default 11.5 M gas limit (and far below anvil's 30 M and the 16.7 M per-transaction
 * cap of EIP-7825), so a big write never monopolises a dev block. 16 KiB (≈ 11 M) would not
 * fit geth's block at all once the base cost is added.
 *
 * maxKeyBytes = 256: the standard's minimum. A key is stored twice (in the entry's slot
 * address and in the key index used by `list`), so each extra 32 bytes costs ~20 k gas.
 *
 * maxPageSize = 100: list pages read values with one eth_call; 100 × 8 KiB stays well under
 * the default RPC response and eth_call gas caps.
 */
export const LIMITS: AdapterLimits = { maxValueBytes: 8192, maxKeyBytes: 256, maxPageSize: 100 };
