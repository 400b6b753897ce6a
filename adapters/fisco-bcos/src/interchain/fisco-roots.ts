import type { Attester } from '@bsn/contract';
import type { CryptoMode } from '../protocol/crypto-suite.js';

/**
 * What a city node pins to verify FISCO BCOS evidence from one group: the chain and group, the
 * crypto mode (which hash and signature scheme everything is checked with), the BsnKvRegistry
 * whose PacketSent logs count, and the sealers (64-byte node IDs, hex, in committee order) of
 * which 2f + 1 must have signed the block. `attesters`/`threshold`: city nodes that must also
 * attest the block, when the node's policy asks for them.
 */
export interface FiscoRoots {
  chainId: string;
  groupId: string;
  crypto: CryptoMode;
  /** 0x-prefixed lowercase. */
  registry: string;
  sealers: string[];
  attesters?: Attester[];
  threshold?: number;
}
