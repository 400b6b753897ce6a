import { readNetworkConfig, type Adapter, type AdapterContext, type AdapterFactory, type NetworkConfig } from '@bsn/contract';
import { TemplateAdapter } from './adapter.js';
import { TemplateGateway } from './gateway.js';
import { TemplateIdentity } from './identity.js';
import { TemplateLifecycle } from './lifecycle.js';
import { NodeClient } from './node-client.js';
import type { NodeInfo } from './node-protocol.js';
import { TemplatePresetKv } from './preset-kv.js';
import { Transactions } from './transactions.js';

/** This plugin's network config; `network-config.schema.json` says the same, and the host checks it before `connect`. */
export interface TemplateNetworkConfig extends NetworkConfig {
  /** The node's HTTP endpoint. */
  url: string;
}

/** The schema this plugin ships, beside `src/` and `dist/`. */
const SCHEMA = new URL('../network-config.schema.json', import.meta.url);

export const templateAdapterFactory: AdapterFactory = {
  async connect(network: NetworkConfig, context: AdapterContext): Promise<Adapter> {
    // The schema says what a config is; check by hand only what it cannot say. INVALID_INPUT names the field.
    const config = readNetworkConfig<TemplateNetworkConfig>(network, SCHEMA);
    const node = new NodeClient(config.url);
    // Fails with UNAVAILABLE when the node does not answer: a factory returns only a ready adapter.
    const info = await node.call<NodeInfo>('info', {}, 'query', `connecting to ${config.name}`);
    context.logger.info(`connected to ${info.version} (chain ${info.chain}) at ${node.url}`);
    const txs = new Transactions(node, info.chain);
    return new TemplateAdapter(
      new TemplateIdentity(),
      new TemplateGateway(node, txs, info),
      new TemplateLifecycle(node, txs),
      new TemplatePresetKv(node, txs),
    );
  },
};
