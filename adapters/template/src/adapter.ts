import { describeFromManifest, type Adapter, type AdapterDescription } from '@bsn/contract';
import { MANIFEST } from './framework.js';
import type { TemplateGateway } from './gateway.js';
import type { TemplateIdentity } from './identity.js';
import type { TemplateLifecycle } from './lifecycle.js';
import { LIMITS } from './limits.js';
import type { TemplatePresetKv } from './preset-kv.js';

/**
 * One connection to one network, holding the contract's parts. Parts the manifest does not
 * claim are absent (this template claims no `interchain.*`: see docs/writing-an-adapter.md).
 */
export class TemplateAdapter implements Adapter {
  constructor(
    readonly identity: TemplateIdentity,
    readonly gateway: TemplateGateway,
    readonly lifecycle: TemplateLifecycle,
    readonly kv: TemplatePresetKv,
  ) {}

  describe(): AdapterDescription {
    return describeFromManifest(MANIFEST, { finality: { kind: 'immediate' }, limits: LIMITS });
  }

  /** Nothing is held open between calls (each is one HTTP request); a real adapter closes its connections here. */
  async close(): Promise<void> {}
}
