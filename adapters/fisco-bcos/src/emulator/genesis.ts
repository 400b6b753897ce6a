import type { BlockHeaderFields } from '../protocol/block-header.js';
import type { CryptoMode } from '../protocol/crypto-suite.js';
import { COMPATIBILITY_VERSION, versionNumber } from './node-identity.js';

/**
 * The genesis header as a 3.x node stores it: number 0, time 0, the genesis config text as
 * extraData, and its roots and gasUsed left empty (the node prints those as a zero hash and
 * "0": the doc's genesis hash only reproduces that way).
 */
export function genesisHeader(o: { mode: CryptoMode; chainId: string; groupId: string; sealers: Uint8Array[] }): BlockHeaderFields {
  const lines = [
    '[chain]',
    `sm_crypto:${o.mode === 'sm' ? 1 : 0}`,
    `chainID: ${o.chainId}`,
    `groupID: ${o.groupId}`,
    '[consensus]',
    'consensus_type: pbft',
    'block_tx_count_limit:1000',
    'leader_period:1',
    '[version]',
    `compatibility_version:${COMPATIBILITY_VERSION}`,
    '[tx]',
    'gaslimit:3000000000',
    '[executor]',
    'iswasm: 0',
    'isAuthCheck:0',
    'isSerialExecute:1',
    ...o.sealers.map((id, i) => `node.${i}:${Buffer.from(id).toString('hex')},1`),
  ];
  return {
    version: versionNumber(COMPATIBILITY_VERSION),
    parentInfo: [],
    txsRoot: new Uint8Array(0),
    receiptsRoot: new Uint8Array(0),
    stateRoot: new Uint8Array(0),
    number: 0,
    gasUsed: '',
    timestamp: 0,
    sealer: 0,
    sealerList: [],
    extraData: new TextEncoder().encode(lines.join('\n') + '\n'),
    consensusWeights: [],
  };
}
