import type { AdapterLimits } from '@bsn/core';

/**
 * Limits of the preset contract on this adapter. The value and key limits are also compiled
 * into the contract (contracts/BsnInput.sol), which enforces them on chain; a test checks
 * that both agree.
 *
 * maxValueBytes = 8192, the largest power of two whose write fits one block of geth --dev
 * (default gas limit 11.5 M). Storing n fresh bytes costs 22 100 gas per 32-byte word (cold
 * SSTORE) plus 16/byte calldata and 8/byte for the KvWritten log, ≈ 740 gas per byte: a
 * measured 6.04 M gas for 8 KiB; with the adapter's estimate headroom (×1.3 + 50 k) the
 * transaction asks for ≈ 7.9 M, still under geth's 11.5 M block (anvil's is 30 M) and the
 * 16.7 M per-transaction cap of EIP-7825. 16 KiB (≈ 12 M gas) would not fit geth's block.
 *
 * maxKeyBytes = 256: the standard's minimum. A key is stored twice (in the entry's slot
 * address and in the key index used by `list`), so each extra 32 bytes costs ~20 k gas.
 *
 * maxPageSize = 100: list pages read values with one eth_call; 100 × 8 KiB stays well under
 * the default RPC response and eth_call gas caps.
 */
export const LIMITS: AdapterLimits = { maxValueBytes: 8192, maxKeyBytes: 256, maxPageSize: 100 };
