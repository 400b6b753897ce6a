import type { Logger } from '@bsn/contract';
import type { ChainReader } from './chain.js';
import type { ResolvedConfig } from './config.js';
import type { Finality } from './finality.js';
import type { NonceManager } from './nonce-manager.js';
import type { RegistryContract } from './registry-contract.js';
import type { RpcClient } from './rpc.js';
import type { TxSender } from './transactions.js';

/** What one connection to a network is made of (factory.ts opens it); each part of the adapter picks what it uses. */
export interface AdapterParts {
  config: ResolvedConfig;
  rpc: RpcClient;
  chain: ChainReader;
  finality: Finality;
  nonces: NonceManager;
  sender: TxSender;
  registry: RegistryContract;
  logger: Logger;
}
