import { privateKeySigner, type NetworkConfig, type Signer } from '@bsn/contract';
import { parsePrivateKey } from '../antelope/index.js';
import type { EosNetworkConfig } from '../config.js';

/**
 * The devnet's operator: the creator's key, which also holds the preset contract's account (the
 * devnet creates that account with it) — the one authority `configure` accepts.
 */
export function eosOperator(network: NetworkConfig): Signer {
  const key = (network as EosNetworkConfig).creator?.privateKey;
  if (typeof key !== 'string') throw new Error(`network ${network.name} has no creator key: its operator signs outside the devnet`);
  return privateKeySigner('secp256k1', parsePrivateKey(key).secret);
}
