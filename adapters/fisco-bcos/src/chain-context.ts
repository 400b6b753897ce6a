import type { AppDirectory } from './app-directory.js';
import type { ResolvedConfig } from './config.js';
import type { ContractCalls } from './contracts/contract-calls.js';
import type { ChainReader } from './node/chain-reader.js';
import type { NodeIniConfig } from './node/node-json.js';
import type { CryptoSuite } from './protocol/crypto-suite.js';
import type { Transactions } from './transactions.js';

/** What every part of the adapter shares for one connected group. */
export interface ChainContext {
  config: ResolvedConfig;
  suite: CryptoSuite;
  chain: ChainReader;
  calls: ContractCalls;
  txs: Transactions;
  apps: AppDirectory;
  /** The node's iniConfig, read at connect. */
  node: NodeIniConfig;
}
