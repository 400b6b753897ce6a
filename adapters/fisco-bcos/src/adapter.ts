import { describeFromManifest, type Adapter, type AdapterDescription, type Interchain } from '@bsn/contract';
import type { ChainContext } from './chain-context.js';
import { MANIFEST } from './framework.js';
import type { FiscoGateway } from './gateway.js';
import type { FiscoIdentity } from './identity.js';
import type { FiscoLifecycle } from './lifecycle.js';
import { LIMITS } from './limits.js';
import type { FiscoPresetKv } from './preset-kv.js';

/** One connection to one FISCO BCOS group, holding the contract's parts. */
export class FiscoAdapter implements Adapter {
  constructor(
    private readonly c: ChainContext,
    readonly identity: FiscoIdentity,
    readonly gateway: FiscoGateway,
    readonly lifecycle: FiscoLifecycle,
    readonly kv: FiscoPresetKv,
    readonly interchain?: Interchain,
  ) {}

  /**
   * The manifest's claims, with this chain's account algorithm first: an SM chain's accounts
   * are SM2 keys, a standard chain's secp256k1 (callers derive keys for the first one).
   */
  describe(): AdapterDescription {
    const d = describeFromManifest(MANIFEST, { finality: { kind: 'immediate' }, limits: LIMITS });
    const mine = this.c.suite.algorithm;
    return { ...d, keyAlgorithms: [mine, ...d.keyAlgorithms.filter((a) => a !== mine)] };
  }

  async close(): Promise<void> {
    this.c.chain.rpc.close();
  }
}
