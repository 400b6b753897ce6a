import {
  isBsnError,
  type AppRef,
  type ChainEvent,
  type CompactSignature,
  type EventsRequest,
  type KeyAlgorithm,
  type PreparedTransaction,
  type Receipt,
  type SubmitRequest,
  type TransactionInfo,
} from '@bsn/contract';
import type { AdapterParts } from '../parts.js';
import { CustomApps, type CustomAppState } from './custom-apps.js';
import { CustomAppGateway } from './gateway.js';
import { CustomAppLifecycle } from './lifecycle.js';
import { describeCustomWrite } from './lookups.js';
import { prepareCustomTransaction, submitCustomTransaction } from './user-key.js';

/**
 * Apps that bring their own contract (capability `lifecycle.custom-contract`), as the
 * adapter's lifecycle and gateway reach them: an app id the preset registry does not know is
 * looked up in BsnCustomApps. Ids are unique across both registries (BsnCustomApps refuses an
 * id the preset registry holds; the lifecycle checks both before a preset create).
 */
export class CustomContracts {
  readonly apps: CustomApps;
  readonly lifecycle: CustomAppLifecycle;
  readonly gateway: CustomAppGateway;
  /** Ids found to be custom apps: an app never changes registry. */
  private readonly known = new Set<string>();

  constructor(private readonly parts: AdapterParts) {
    this.apps = new CustomApps(parts);
    this.lifecycle = new CustomAppLifecycle({ ...parts, customApps: this.apps });
    this.gateway = new CustomAppGateway({ ...parts, customApps: this.apps });
  }

  /**
   * The custom app `ref` names, or undefined for anything else — a preset app, no app, or a
   * malformed ref — which the preset path then answers (or refuses) as it always has.
   */
  async appOf(ref: unknown): Promise<CustomAppState | undefined> {
    const appId = typeof ref === 'object' && ref !== null ? (ref as Partial<AppRef>).appId : undefined;
    if (typeof appId !== 'string' || !/^[A-Za-z0-9._:-]{1,128}$/.test(appId)) return undefined;
    if (!this.known.has(appId)) {
      const preset = await this.parts.registry.resolve(appId).then(
        () => true,
        (e: unknown) => !isBsnError(e, 'NOT_FOUND'),
      );
      if (preset) return undefined;
    }
    const state = (await this.apps.current(appId))?.state;
    if (state) this.known.add(appId);
    return state;
  }

  /** The app's event stream: the custom app's decoded by its ABI, else `preset()`'s. */
  async *events(request: EventsRequest, preset: () => AsyncIterable<ChainEvent>): AsyncGenerator<ChainEvent> {
    const app = await this.appOf(request?.app);
    yield* app ? this.gateway.events(app, request) : preset();
  }

  /** A transaction look-up completed with the custom app, method and events of a write to one. */
  describe(info: TransactionInfo): Promise<TransactionInfo> {
    return describeCustomWrite({ chain: this.parts.chain, customApps: this.apps }, info);
  }

  /** User-key mode, step one, for a custom app. */
  prepare(request: SubmitRequest, account: { publicKey: Uint8Array; algorithm: KeyAlgorithm }): Promise<PreparedTransaction> {
    return prepareCustomTransaction({ ...this.parts, gateway: this.gateway }, request, account);
  }

  /** User-key mode, step two, for a custom app. */
  submitPrepared(prepared: PreparedTransaction, signature: CompactSignature): Promise<Receipt> {
    return submitCustomTransaction({ ...this.parts, gateway: this.gateway }, prepared, signature);
  }
}
