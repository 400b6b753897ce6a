import {
  InvalidInputError,
  UnavailableError,
  isBsnError,
  type Adapter,
  type AdapterContext,
  type AdapterFactory,
  type NetworkConfig,
} from '@bsn/contract';
import { FiscoAdapter } from './adapter.js';
import { AppDirectory } from './app-directory.js';
import type { ChainContext } from './chain-context.js';
import { resolveConfig } from './config.js';
import { REGISTRY_ID } from './contracts/abi.js';
import { ContractCalls } from './contracts/contract-calls.js';
import { connectCustomContracts } from './custom-contract/connect.js';
import { toBsnError } from './errors.js';
import { FiscoGateway } from './gateway.js';
import { FiscoIdentity } from './identity.js';
import { FiscoInterchain } from './interchain/interchain.js';
import { FiscoLifecycle } from './lifecycle.js';
import { ChainReader, nodeSoftwareOf } from './node/chain-reader.js';
import { FiscoRpc } from './node/fisco-rpc.js';
import { FiscoPresetKv } from './preset-kv.js';
import { PresetWrites } from './preset-writes.js';
import { cryptoSuite } from './protocol/crypto-suite.js';
import { Transactions } from './transactions.js';

/**
 * Connects to one group of a FISCO BCOS 3.x node and checks it is the chain the config says
 * before returning: the node answers (UnavailableError otherwise), its crypto mode and chain
 * ID are the config's, and the registry answers as a BSN registry (InvalidInputError naming
 * the field otherwise).
 */
export const fiscoAdapterFactory: AdapterFactory = {
  async connect(network: NetworkConfig, context: AdapterContext): Promise<Adapter> {
    const config = resolveConfig(network);
    const suite = cryptoSuite(config.crypto);
    const rpc = new FiscoRpc(config.rpcUrl, config.groupId, config.requestTimeoutMs);
    const chain = new ChainReader(rpc);
    try {
      const node = await chain.nodeInfo().catch((error: unknown) => {
        throw isBsnError(error) ? error : toBsnError(error, { stage: 'query', what: `connecting to ${config.name}` });
      });
      if (node.smCryptoType !== (config.crypto === 'sm')) {
        throw new InvalidInputError(
          `network config /crypto: ${config.name} is ${node.smCryptoType ? 'an SM (国密)' : 'a standard'} chain, not ${config.crypto}`,
          { field: '/crypto' },
        );
      }
      if (node.chainID !== config.chainId) {
        throw new InvalidInputError(`network config /chainId: the node serves chain ${node.chainID}, not ${config.chainId}`, {
          field: '/chainId',
        });
      }
      const calls = new ContractCalls(suite, chain);
      const [id] = await calls.view(calls.registry, config.registry, 'BSN_REGISTRY', [], 'checking the registry').catch(() => ['']);
      if (id !== REGISTRY_ID) {
        throw new InvalidInputError(`network config /registry: ${config.registry} is not a ${REGISTRY_ID} on ${config.name}`, {
          field: '/registry',
        });
      }
      const c: ChainContext = {
        config,
        suite,
        chain,
        calls,
        node,
        txs: new Transactions(suite, config, chain),
        apps: new AppDirectory(calls, config.registry),
      };
      const writes = new PresetWrites(c);
      const custom = await connectCustomContracts(c);
      context.logger.info(
        `connected to ${nodeSoftwareOf(node)} at ${rpc.endpoint} (${config.chainId}/${config.groupId}, ${config.crypto} crypto)`,
      );
      return new FiscoAdapter(
        c,
        new FiscoIdentity(suite),
        new FiscoGateway(c, writes, custom),
        new FiscoLifecycle(c, custom),
        new FiscoPresetKv(c, writes),
        new FiscoInterchain(c),
      );
    } catch (error) {
      rpc.close();
      if (isBsnError(error)) throw error;
      throw new UnavailableError(`connecting to ${config.name}: ${(error as Error).message}`, {
        cause: error,
        detail: { framework: 'fisco-bcos' },
      });
    }
  },
};
