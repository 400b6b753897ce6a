import type { Adapter, AdapterDescription } from '@bsn/contract';
import { CustomContracts } from './custom-contract/custom-contracts.js';
import { describeAdapter } from './describe.js';
import { EthereumGateway } from './gateway.js';
import { EthereumIdentity } from './identity.js';
import { EthereumInterchain } from './interchain/interchain.js';
import { EthereumLifecycle } from './lifecycle.js';
import type { AdapterParts } from './parts.js';
import { EthereumPresetKv } from './preset-kv.js';

/** One connection to one Ethereum network (see factory.ts for how it is opened). */
export class EthereumAdapter implements Adapter {
  readonly identity: EthereumIdentity;
  readonly gateway: EthereumGateway;
  readonly lifecycle: EthereumLifecycle;
  readonly kv: EthereumPresetKv;
  readonly interchain: EthereumInterchain;
  private closed = false;

  constructor(private readonly parts: AdapterParts) {
    this.identity = new EthereumIdentity(parts);
    const custom = new CustomContracts(parts);
    this.gateway = new EthereumGateway(parts, custom);
    this.lifecycle = new EthereumLifecycle(parts, custom);
    this.kv = new EthereumPresetKv({ ...parts, gateway: this.gateway });
    this.interchain = new EthereumInterchain(parts);
  }

  describe(): AdapterDescription {
    return describeAdapter(this.parts.config.confirmations);
  }

  /** The registry this adapter found or deployed (where its apps are listed). */
  get registryAddress(): string {
    return this.parts.registry.address;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.parts.finality.close();
    this.parts.rpc.close();
    this.parts.logger.debug('ethereum adapter closed', { network: this.parts.config.name });
  }
}
