import { NOOP_LOGGER, UnavailableError, type AdapterContext, type AdapterFactory, type NetworkConfig } from '@bsn/contract';
import { FabricAdapter } from './adapter.js';
import { CertificateAuthority } from './certificates.js';
import { PRESET_CONTRACT, PresetChaincode } from './chaincode-client.js';
import { resolveConfig } from './config.js';
import { FabricConnection } from './connection.js';
import { FRAMEWORK } from './describe.js';
import { toBsnError } from './errors.js';
import { LIMITS } from './limits.js';

/**
 * Opens an adapter: checks the config, dials the org's gateway peer and asks the chaincode
 * named in the config who it is — it must be the BSN preset chaincode with this adapter's
 * limits (UnavailableError otherwise, or when the peer does not answer).
 */
export const fabricAdapterFactory: AdapterFactory = {
  async connect(network: NetworkConfig, context: AdapterContext): Promise<FabricAdapter> {
    const config = resolveConfig(network);
    const logger = context?.logger ?? NOOP_LOGGER;
    const ca = new CertificateAuthority(config.org.ca);
    const connection = new FabricConnection(config, ca);
    try {
      const chaincode = new PresetChaincode({ config, connection });
      const info = await chaincode.info();
      if (info.contract !== PRESET_CONTRACT || JSON.stringify(info.limits) !== JSON.stringify(LIMITS)) {
        throw new UnavailableError(
          `chaincode ${config.chaincode} on ${config.channel} is not the BSN preset contract this adapter speaks to (it reports ${JSON.stringify(info)})`,
          {
            stage: 'query',
            detail: { framework: FRAMEWORK, data: { info } },
          },
        );
      }
      logger.info('fabric adapter connected', {
        network: config.name,
        channel: config.channel,
        chaincode: config.chaincode,
        mspId: config.org.mspId,
        contract: info,
      });
      return new FabricAdapter({
        config,
        connection,
        ca,
        logger,
        network: network as Record<string, unknown>,
        ...(context?.dataDir && { dataDir: context.dataDir }),
      });
    } catch (error) {
      connection.close();
      const typed = toBsnError(error, { stage: 'query', what: `connecting to ${config.name}` });
      if (typed.code === 'UNAVAILABLE' || typed.code === 'TIMEOUT') throw typed;
      throw new UnavailableError(
        `${config.name}: chaincode ${config.chaincode} does not answer as the BSN preset contract: ${typed.message}`,
        {
          stage: 'query',
          cause: typed,
          ...(typed.detail && { detail: typed.detail }),
        },
      );
    }
  },
};
