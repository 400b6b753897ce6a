import { tmpdir } from 'node:os';
import type { Adapter, AdapterDescription, Logger } from '@bsn/contract';
import type { CertificateAuthority } from './certificates.js';
import { RoutedGateway, RoutedInterchain, RoutedKv } from './channels/routed.js';
import { ChannelRouter } from './channels/router.js';
import type { ResolvedConfig } from './config.js';
import type { FabricConnection } from './connection.js';
import { CustomApps } from './custom-contract/custom-apps.js';
import { CustomGateway } from './custom-contract/custom-gateway.js';
import { CustomAwareGateway } from './custom-contract/routed-gateway.js';
import { describeAdapter } from './describe.js';
import { FabricIdentity } from './identity.js';
import type { Ledger } from './ledger.js';
import { NativeUserKey } from './native-signing.js';
import { FabricLifecycle } from './lifecycle.js';
import type { Transactor } from './transactions.js';

export interface AdapterParts {
  config: ResolvedConfig;
  connection: FabricConnection;
  ca: CertificateAuthority;
  logger: Logger;
  /** The network config as given (admin material for dedicated channels is read from it when needed). */
  network?: Record<string, unknown>;
  /** Where the adapter keeps files of its own: custom chaincode packages (default: the OS temp folder). */
  dataDir?: string;
}

/**
 * One connection through one org's gateway peer to the shared channel and to every dedicated
 * app's channel (see factory.ts, channels/router.ts): the gateway, key/value, lifecycle and
 * interchain calls go to the channel of the app they name.
 */
export class FabricAdapter implements Adapter {
  readonly identity: FabricIdentity;
  readonly gateway: CustomAwareGateway;
  /** Apps that bring their own chaincode, and the confined servers this adapter runs for them. */
  readonly custom: CustomApps;
  readonly lifecycle: FabricLifecycle;
  readonly kv: RoutedKv;
  /** Packets sent through the preset chaincode, block evidence, its verifier (delivery comes later). */
  readonly interchain: RoutedInterchain;
  readonly router: ChannelRouter;
  /** Fabric's own two-signature client flow on the shared channel (an extension; the standard's user-key mode is `gateway.prepare`). */
  readonly native: NativeUserKey;
  private closed = false;

  constructor(readonly parts: AdapterParts) {
    const { config, connection } = parts;
    this.router = new ChannelRouter({ config, connection });
    const shared = this.router.shared;
    this.identity = new FabricIdentity({ mspId: config.org.mspId, ca: parts.ca });
    const network = parts.network ?? {};
    this.custom = new CustomApps({
      config,
      connection,
      router: this.router,
      network,
      logger: parts.logger,
      dataDir: parts.dataDir ?? tmpdir(),
    });
    const customGateway = new CustomGateway({ connection, submitTimeoutMs: config.submitTimeoutMs });
    this.gateway = new CustomAwareGateway(new RoutedGateway(this.router), this.custom, customGateway);
    this.kv = new RoutedKv(this.router);
    this.interchain = new RoutedInterchain(this.router);
    this.lifecycle = new FabricLifecycle({
      config,
      connection,
      router: this.router,
      network,
      logger: parts.logger,
      custom: this.custom,
      customGateway,
    });
    this.native = new NativeUserKey({ config, connection, ledger: shared.ledger, transactor: shared.transactor, ca: parts.ca });
  }

  /** The shared channel's ledger and transactor. */
  get ledger(): Ledger {
    return this.router.shared.ledger;
  }

  get transactor(): Transactor {
    return this.router.shared.transactor;
  }

  describe(): AdapterDescription {
    return describeAdapter();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.custom.close();
    this.parts.connection.close();
    this.parts.logger.debug('fabric adapter closed', { network: this.parts.config.name });
  }
}
