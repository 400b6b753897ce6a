import type { PresetChaincode } from '../chaincode-client.js';
import type { ResolvedConfig } from '../config.js';
import type { FabricConnection } from '../connection.js';
import type { Ledger } from '../ledger.js';
import type { Transactor } from '../transactions.js';

/** What the interchain part speaks to on its channel. */
export interface InterchainDeps {
  config: ResolvedConfig;
  connection: FabricConnection;
  ledger: Ledger;
  transactor: Transactor;
  chaincode: PresetChaincode;
}
