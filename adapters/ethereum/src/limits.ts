import type { AdapterLimits } from '@bsn/contract';

/**
 * Limits of the preset contract on this adapter. The value and key limits are also compiled
 * into the contract (contracts/BsnInput.sol), which enforces them on chain; a test checks
 * that both agree.
 *
 * maxValueBytes = 32768. Values are kept in event logs, not storage (see BsnKvApp.sol:
 * geth 1.17's dev chain charges ~112 k gas per fresh storage slot, so even 4 KiB in storage
 * would overflow its 11.5 M-gas block). A write then costs calldata + log data, and calldata
 * is priced at the EIP-7623 floor (40 gas per non-zero byte) for such data-heavy
 * transactions: measured 1.33 M gas for a 32 KiB value on both anvil and geth --dev, i.e.
 * 11.5 % of geth's default block gas limit (4.4 % of anvil's 30 M), leaving room for eight
 * maximal writes per block, and a 33 KB transaction stays far below geth's 128 KB txpool
 * limit. 64 KiB would still fit but a page of `list` (up to 100 values) would then mean up
 * to 6.4 MB of logs per call.
 *
 * maxKeyBytes = 256: the standard's minimum. Keys are stored (in the key index `list` reads),
 * so each 32 bytes of a new key is a fresh slot: a 256-byte key costs 1.4 M gas on geth --dev.
 *
 * maxPageSize = 100: a page needs one eth_call for hashes and one eth_getLogs per distinct
 * block of last writes; 100 maximal values are 3.2 MB of logs.
 */
export const LIMITS: AdapterLimits = { maxValueBytes: 32_768, maxKeyBytes: 256, maxPageSize: 100 };
