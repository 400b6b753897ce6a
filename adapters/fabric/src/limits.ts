import type { AdapterLimits } from '@bsn/contract';

/**
 * Limits of the preset contract on this adapter. The chaincode (chaincode/lib/rules.js)
 * enforces the same numbers on chain; a test checks that both agree.
 *
 * maxValueBytes = 65536. A value is kept in world state inside a small JSON envelope (base64,
 * so ~87 KiB on disk) and returned by `get`, `list` and `history`. Fabric itself takes values
 * of many MiB; the bound keeps a full `list` page (100 entries, ~8.7 MB) well inside the
 * 100 MiB gRPC limits the peer and the adapter's client use, and a block of ten maximal writes
 * under the orderer's 512 KB preferred block size × 2.
 *
 * maxKeyBytes = 1024. Fabric's LevelDB state database has no key limit worth the name; keys
 * are stored as `k/<appId>/<key>`, so 1 KiB keeps every state key far from CouchDB's 8 KiB
 * document-id limit should a network use CouchDB.
 *
 * maxPageSize = 100: one range scan in one read-only proposal.
 */
export const LIMITS: AdapterLimits = { maxValueBytes: 65_536, maxKeyBytes: 1_024, maxPageSize: 100 };
