import { InvalidInputError, NOOP_LOGGER, type AdapterContext, type AdapterFactory, type NetworkConfig } from '@bsn/contract';
import { EthereumAdapter } from './adapter.js';
import { ChainReader } from './chain.js';
import { resolveConfig } from './config.js';
import { FRAMEWORK } from './describe.js';
import { toBsnError } from './errors.js';
import { Finality } from './finality.js';
import { NonceManager } from './nonce-manager.js';
import { RegistryContract } from './registry-contract.js';
import { RpcClient } from './rpc.js';
import { TxSender } from './transactions.js';

/**
 * Opens an adapter: checks the config, asks the node who it is and which chain it serves
 * (UnavailableError when it does not answer), then finds the app registry — the configured
 * one, or on dev networks the deterministic one, deploying it on first use.
 */
export const ethereumAdapterFactory: AdapterFactory = {
  async connect(network: NetworkConfig, context: AdapterContext): Promise<EthereumAdapter> {
    const config = resolveConfig(network);
    const logger = context?.logger ?? NOOP_LOGGER;
    const rpc = new RpcClient(config.rpcUrl, config.requestTimeoutMs);
    const chain = new ChainReader(rpc);
    const finality = new Finality(chain, config.confirmations, config.pollingIntervalMs);
    try {
      const [chainId, node] = await Promise.all([chain.chainId(), chain.clientVersion()]);
      if (chainId !== config.chainId) {
        throw new InvalidInputError(`the node at ${rpc.endpoint} serves chain ${chainId}, not ${config.chainId}`, {
          field: '/chainId',
          detail: { framework: FRAMEWORK, data: { expected: config.chainId, actual: chainId, node } },
        });
      }
      const nonces = new NonceManager(rpc);
      const sender = new TxSender(chain, nonces, finality, config.chainId, config.submitTimeoutMs);
      const registry = await RegistryContract.open({ config, chain, sender, nonces, finality, logger });
      logger.info('ethereum adapter connected', { network: config.name, node, chainId, registry: registry.address });
      return new EthereumAdapter({ config, rpc, chain, finality, nonces, sender, registry, logger });
    } catch (error) {
      finality.close();
      rpc.close();
      throw toBsnError(error, { stage: 'query', what: `connecting to ${config.name}` });
    }
  },
};
