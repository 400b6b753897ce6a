import type { Adapter, AdapterDescription, Logger } from '@bsn/core';
import type { CertificateAuthority } from './certificates.js';
import { PresetChaincode } from './chaincode-client.js';
import type { ResolvedConfig } from './config.js';
import type { FabricConnection } from './connection.js';
import { describeAdapter } from './describe.js';
import { FabricGatewayImpl } from './gateway.js';
import { FabricIdentity } from './identity.js';
import { FabricInterchain } from './interchain/interchain.js';
import { Ledger } from './ledger.js';
import { NativeUserKey } from './native-signing.js';
import { FabricLifecycle } from './lifecycle.js';
import { FabricPresetKv } from './preset-kv.js';
import { Transactor } from './transactions.js';

export interface AdapterParts {
  config: ResolvedConfig;
  connection: FabricConnection;
  ca: CertificateAuthority;
  logger: Logger;
}

/** One connection to one Fabric channel through one org's gateway peer (see factory.ts). */
export class FabricAdapter implements Adapter {
  readonly identity: FabricIdentity;
  readonly gateway: FabricGatewayImpl;
  readonly lifecycle: FabricLifecycle;
  readonly kv: FabricPresetKv;
  /** Packets sent through the preset chaincode, block evidence, its verifier (delivery comes later). */
  readonly interchain: FabricInterchain;
  readonly ledger: Ledger;
  readonly chaincode: PresetChaincode;
  readonly transactor: Transactor;
  /** Fabric's own two-signature client flow (an extension; the standard's user-key mode is `gateway.prepare`). */
  readonly native: NativeUserKey;
  private closed = false;

  constructor(readonly parts: AdapterParts) {
    const { config, connection } = parts;
    this.ledger = new Ledger({ config, connection });
    this.chaincode = new PresetChaincode({ config, connection });
    this.transactor = new Transactor({ config, ledger: this.ledger, connection });
    const deps = { config, connection, ledger: this.ledger, chaincode: this.chaincode, transactor: this.transactor };
    this.identity = new FabricIdentity({ mspId: config.org.mspId, ca: parts.ca });
    this.gateway = new FabricGatewayImpl(deps);
    this.lifecycle = new FabricLifecycle(deps);
    this.kv = new FabricPresetKv({ gateway: this.gateway, chaincode: this.chaincode, ledger: this.ledger });
    this.native = new NativeUserKey({ ...deps, ca: parts.ca, gateway: this.gateway });
    this.interchain = new FabricInterchain(deps);
  }

  describe(): AdapterDescription {
    return describeAdapter();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.parts.connection.close();
    this.parts.logger.debug('fabric adapter closed', { network: this.parts.config.name });
  }
}
