import type {
  BlockInfo,
  ChainEvent,
  EvaluateRequest,
  EvaluateResult,
  EventsRequest,
  Gateway,
  HealthReport,
  PreparedTransaction,
  Receipt,
  SubmitRequest,
  TransactionInfo,
} from '../contract/gateway.js';
import type { CompactSignature, KeyAlgorithm, Signer } from '../contract/keys.js';
import type { AppRef } from '../contract/lifecycle.js';
import { UnavailableError } from '../errors/errors.js';

/** Where an adapter keeps the apps that run their own contract (lifecycle.custom-contract). */
export interface CustomAppDirectory<App> {
  /** The app when it runs its own contract, undefined for any other; rejects when the chain does not answer. */
  find(appId: string): Promise<App | undefined>;
  /** Whether the app is already known to run its own contract (without asking the chain). */
  isCustom(appId: string): boolean;
}

/** The calls of apps that run their own contract, as an adapter makes them. */
export interface CustomAppCalls<App> {
  submit(app: App, request: SubmitRequest, signer: Signer): Promise<Receipt>;
  evaluate(app: App, request: EvaluateRequest, caller?: Signer): Promise<EvaluateResult>;
  events(app: App, request: EventsRequest): AsyncIterable<ChainEvent>;
  /** A look-up scoped to the app: the preset gateway's answer with the app's method and events. */
  describe(app: App, info: TransactionInfo): Promise<TransactionInfo>;
}

const appIdOf = (request: unknown): string | undefined => {
  const app = typeof request === 'object' && request !== null ? (request as { app?: unknown }).app : undefined;
  const appId = typeof app === 'object' && app !== null ? (app as { appId?: unknown }).appId : undefined;
  return typeof appId === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(appId) ? appId : undefined;
};

/**
 * An adapter's gateway once it runs apps with their own contract: a call naming such an app goes
 * to `custom`, everything else to the preset gateway as before. Blocks and health are the
 * preset's; user-key mode is the preset's only.
 */
export class CustomAppGateway<App, Preset extends Gateway = Gateway> implements Gateway {
  constructor(
    protected readonly preset: Preset,
    private readonly apps: CustomAppDirectory<App>,
    private readonly custom: CustomAppCalls<App>,
    /** The framework's id (`detail.framework` of a refusal) and its name in messages. */
    private readonly chain: { framework: string; name: string },
  ) {}

  private async customApp(request: unknown): Promise<App | undefined> {
    const appId = appIdOf(request);
    if (appId === undefined) return undefined;
    try {
      return await this.apps.find(appId);
    } catch (error) {
      // The chain did not answer: an app known to run its own contract fails with that; any
      // other goes the preset way, which reports the same unavailability in its own terms.
      if (this.apps.isCustom(appId)) throw error;
      return undefined;
    }
  }

  async submit(request: SubmitRequest, signer: Signer): Promise<Receipt> {
    const app = await this.customApp(request);
    return app ? this.custom.submit(app, request, signer) : this.preset.submit(request, signer);
  }

  async prepare(request: SubmitRequest, account: { publicKey: Uint8Array; algorithm: KeyAlgorithm }): Promise<PreparedTransaction> {
    if (await this.customApp(request)) {
      throw new UnavailableError(
        `user-key mode is not available for apps with their own contract on ${this.chain.name} yet: submit in hosted-key mode`,
        { stage: 'validate', detail: { framework: this.chain.framework } },
      );
    }
    return this.preset.prepare(request, account);
  }

  submitPrepared(prepared: PreparedTransaction, signature: CompactSignature): Promise<Receipt> {
    return this.preset.submitPrepared(prepared, signature);
  }

  async evaluate(request: EvaluateRequest, caller?: Signer): Promise<EvaluateResult> {
    const app = await this.customApp(request);
    return app ? this.custom.evaluate(app, request, caller) : this.preset.evaluate(request, caller);
  }

  async *events(request: EventsRequest): AsyncIterable<ChainEvent> {
    const app = await this.customApp(request);
    yield* app ? this.custom.events(app, request) : this.preset.events(request);
  }

  block(ref: number | 'latest', scope?: AppRef): Promise<BlockInfo> {
    return this.preset.block(ref, scope);
  }

  /** A look-up scoped to an app with its own contract names the app and its events; else the preset's. */
  async transaction(txId: string, scope?: AppRef): Promise<TransactionInfo> {
    const app = scope === undefined ? undefined : await this.customApp({ app: scope });
    const info = await this.preset.transaction(txId, scope);
    return app ? this.custom.describe(app, info) : info;
  }

  health(): Promise<HealthReport> {
    return this.preset.health();
  }
}
