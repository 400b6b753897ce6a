import type { AppRef } from '@bsn/contract';
import type { ChainContext } from '../chain-context.js';
import { CustomApps, type CustomAppState } from './custom-apps.js';
import { CustomAppGateway } from './gateway.js';
import { CustomAppLifecycle } from './lifecycle.js';

/**
 * Apps that bring their own contract (capability `lifecycle.custom-contract`) as the adapter's
 * lifecycle and gateway reach them: an app id the preset registry does not hold is looked up in
 * BsnCustomApps. Ids are unique across both (BsnCustomApps refuses an id the preset registry
 * holds; the lifecycle checks this one before a preset create).
 */
export class CustomContracts {
  readonly apps: CustomApps;
  readonly lifecycle: CustomAppLifecycle;
  readonly gateway: CustomAppGateway;
  /** Ids found to be custom apps: an app never changes registry. */
  private readonly known = new Set<string>();

  constructor(
    private readonly c: ChainContext,
    address: string,
  ) {
    this.apps = new CustomApps(c, address);
    this.lifecycle = new CustomAppLifecycle(c, this.apps);
    this.gateway = new CustomAppGateway(c, this.apps);
  }

  /**
   * The custom app `ref` names, or undefined for anything else — a preset app, no app, or a
   * malformed ref — which the preset path then answers (or refuses) as it always has. Its
   * record read at most `maxAgeMs` ago: the lifecycle acts on a fresh one (0), the gateway
   * passes `KEPT_APP_MS`.
   */
  async appOf(ref: unknown, maxAgeMs = 0): Promise<CustomAppState | undefined> {
    const appId = typeof ref === 'object' && ref !== null ? (ref as Partial<AppRef>).appId : undefined;
    if (typeof appId !== 'string' || !/^[A-Za-z0-9._:-]{1,128}$/.test(appId)) return undefined;
    if (!this.known.has(appId) && (await this.c.apps.find(appId))) return undefined;
    const state = await this.apps.find(appId, maxAgeMs);
    if (state) this.known.add(appId);
    return state;
  }
}
