import {
  CustomAppGateway,
  UnavailableError,
  type Adapter,
  type AdapterContext,
  type AdapterFactory,
  type NetworkConfig,
} from '@bsn/contract';
import { AntelopeRpc } from './antelope/index.js';
import { AccountCreator } from './account-creator.js';
import { EosAdapter } from './adapter.js';
import { AppRegistry } from './apps.js';
import { resolveConfig } from './config.js';
import { ContractAbis } from './contract-abis.js';
import { ContractTables } from './contract-tables.js';
import { toBsnError } from './errors.js';
import { EventStream } from './event-stream.js';
import { FRAMEWORK } from './framework.js';
import { EosGateway, nodeName } from './gateway.js';
import { EosIdentity } from './identity.js';
import { EosLifecycle } from './lifecycle.js';
import { Lookups } from './lookups.js';
import { NodeApi } from './node-api.js';
import { EosPresetKv } from './preset-kv.js';
import { PresetWrites } from './preset-writes.js';
import { Transactions } from './transactions.js';
import { UserKeyWrites } from './user-key.js';
import { BlockRoots } from './interchain/block-roots.js';
import { PacketSender } from './interchain/emit.js';
import { EvidenceBuilder } from './interchain/evidence.js';
import { currentRoots, EosInterchain } from './interchain/interchain.js';
import { EosDelivery } from './interchain/delivery.js';
import { PacketStates } from './interchain/packet-state.js';
import { CustomApps } from './custom-contract/custom-apps.js';
import { CustomGateway } from './custom-contract/custom-gateway.js';
import { CustomAwareLifecycle } from './custom-contract/routed-lifecycle.js';

export const eosAdapterFactory: AdapterFactory = {
  async connect(network: NetworkConfig, context: AdapterContext): Promise<Adapter> {
    const config = resolveConfig(network);
    const api = new NodeApi(new AntelopeRpc(config.url, config.requestTimeoutMs));
    const info = await api.info().catch((error: unknown) => {
      throw toBsnError(error, { stage: 'query', what: `connecting to ${config.name}` });
    });
    if (info.chain_id !== config.chainId) {
      throw new UnavailableError(`${config.url} serves chain ${info.chain_id}, not ${config.name}'s ${config.chainId}`, {
        stage: 'query',
        detail: { framework: FRAMEWORK, message: 'chain id mismatch', data: { expected: config.chainId, actual: info.chain_id } },
      });
    }
    const abis = new ContractAbis(api);
    // A factory returns only a ready adapter: the preset contract must be there.
    await abis.of(config.contract);
    context.logger.info(`connected to ${nodeName(info)} at ${config.url} (chain ${info.chain_id}, contract ${config.contract})`);

    const txs = new Transactions(api, config);
    const creator = new AccountCreator(txs, config);
    const tables = new ContractTables(api);
    const apps = new AppRegistry(tables, config.contract, config.name);
    const writes = new PresetWrites(txs, apps, abis, tables);
    const kv = new EosPresetKv(writes, apps, tables);
    const gateway = new EosGateway(
      writes,
      new UserKeyWrites(writes, config, creator),
      kv,
      new EventStream(api, apps, tables, abis, Math.max(config.pollIntervalMs, 100)),
      new Lookups(api, apps, abis),
      api,
    );
    const ownRoots = () => currentRoots(api, config.name, config.contract);
    const interchain = new EosInterchain(
      new PacketSender(api, txs, apps, abis, config.name),
      new EvidenceBuilder(api, new BlockRoots(api), config.name, config.contract, ownRoots),
      ownRoots,
      new EosDelivery(txs, apps, abis, tables, creator, config.name),
      new PacketStates(api, abis, config.contract, config.name),
    );
    // Apps with their own contract (lifecycle.custom-contract) are routed off the preset paths.
    const customApps = new CustomApps({ txs, apps, abis, creator });
    const routed = new CustomAppGateway(gateway, customApps, new CustomGateway(txs, api, Math.max(config.pollIntervalMs, 100)), {
      framework: FRAMEWORK,
      name: 'EOS',
    });
    const lifecycle = new CustomAwareLifecycle(new EosLifecycle(txs, apps, abis, creator), customApps);
    return new EosAdapter(new EosIdentity(creator), routed, lifecycle, kv, interchain);
  },
};
