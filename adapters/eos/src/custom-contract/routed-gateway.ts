import {
  UnavailableError,
  type AppRef,
  type BlockInfo,
  type ChainEvent,
  type CompactSignature,
  type EvaluateRequest,
  type EvaluateResult,
  type EventsRequest,
  type Gateway,
  type HealthReport,
  type KeyAlgorithm,
  type PreparedTransaction,
  type Receipt,
  type Signer,
  type SubmitRequest,
  type TransactionInfo,
} from '@bsn/contract';
import { FRAMEWORK } from '../framework.js';
import type { EosGateway } from '../gateway.js';
import type { CustomApp, CustomApps } from './custom-apps.js';
import type { CustomGateway } from './custom-gateway.js';

const appIdOf = (request: unknown): string | undefined => {
  const app = typeof request === 'object' && request !== null ? (request as { app?: unknown }).app : undefined;
  const appId = typeof app === 'object' && app !== null ? (app as { appId?: unknown }).appId : undefined;
  return typeof appId === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(appId) ? appId : undefined;
};

/**
 * The adapter's gateway: a call naming an app that runs its own contract goes to it
 * (custom-gateway.ts), everything else to the preset gateway as before. Blocks and health are
 * the preset gateway's; a transaction look-up scoped to a custom app adds its app and events.
 */
export class CustomAwareGateway implements Gateway {
  constructor(
    private readonly preset: EosGateway,
    private readonly apps: CustomApps,
    private readonly custom: CustomGateway,
  ) {}

  private async customApp(request: unknown): Promise<CustomApp | undefined> {
    const appId = appIdOf(request);
    if (appId === undefined) return undefined;
    try {
      return await this.apps.find(appId);
    } catch (error) {
      // The node did not answer: an app known to run its own contract fails with that; any
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
      throw new UnavailableError('user-key mode is not available for apps with their own contract on EOS yet: submit in hosted-key mode', {
        stage: 'validate',
        detail: { framework: FRAMEWORK },
      });
    }
    return this.preset.prepare(request, account);
  }

  submitPrepared(prepared: PreparedTransaction, signature: CompactSignature): Promise<Receipt> {
    return this.preset.submitPrepared(prepared, signature);
  }

  async evaluate(request: EvaluateRequest): Promise<EvaluateResult> {
    const app = await this.customApp(request);
    return app ? this.custom.evaluate(app, request) : this.preset.evaluate(request);
  }

  async *events(request: EventsRequest): AsyncIterable<ChainEvent> {
    const app = await this.customApp(request);
    yield* app ? this.custom.events(app, request) : this.preset.events(request);
  }

  block(ref: number | 'latest'): Promise<BlockInfo> {
    return this.preset.block(ref);
  }

  /** A look-up scoped to an app with its own contract names the app and its events; else the preset's. */
  async transaction(txId: string, scope?: AppRef): Promise<TransactionInfo> {
    const info = await this.preset.transaction(txId);
    const app = scope === undefined ? undefined : await this.customApp({ app: scope });
    return app ? this.custom.describe(app, info) : info;
  }

  health(): Promise<HealthReport> {
    return this.preset.health();
  }
}
