import { describeFromManifest, type Adapter, type AdapterDescription } from '@bsn/contract';
import { MANIFEST } from './framework.js';
import type { Gateway, AppLifecycle } from '@bsn/contract';
import type { EosIdentity } from './identity.js';
import { LIMITS } from './limits.js';
import type { EosPresetKv } from './preset-kv.js';
import type { EosInterchain } from './interchain/interchain.js';

/**
 * One connection to one Antelope network. Finality is immediate once a block is irreversible:
 * receipts are returned only then. Every call is one HTTP request to the node, so a node that
 * went away and came back is used again as soon as it answers; nothing is held open.
 */
export class EosAdapter implements Adapter {
  constructor(
    readonly identity: EosIdentity,
    readonly gateway: Gateway,
    readonly lifecycle: AppLifecycle,
    readonly kv: EosPresetKv,
    readonly interchain: EosInterchain,
  ) {}

  describe(): AdapterDescription {
    return describeFromManifest(MANIFEST, { finality: { kind: 'immediate' }, limits: LIMITS });
  }

  async close(): Promise<void> {}
}
