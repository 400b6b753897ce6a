import { X509Certificate, createPrivateKey, type JsonWebKey } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { connect, hash, type Gateway, type Hash, type Signer as FabricSigner } from '@hyperledger/fabric-gateway';
import type { Signer } from '@bsn/contract';
import type { CertificateAuthority } from './certificates.js';
import type { FabricPeerConfig, ResolvedConfig } from './config.js';
import { peerGrpcClient } from './peer-grpc.js';
import { checkAlgorithm, checkPublicKey, fabricMessageSigner, fabricSigner, serviceSigner } from './signer-bridge.js';

/**
 * One gRPC channel to the org's gateway peer (TLS against the peer's TLS CA), shared by
 * every Fabric identity the adapter signs as: the org's service user (reads, look-ups,
 * events, relayed user-key writes) and the MSP identity of each BSN account (hosted-key
 * writes). A fabric-gateway `Gateway` is only a signing identity over that channel, so one
 * is made per write, for the signer at hand.
 */
export class FabricConnection {
  readonly client: grpc.Client;
  /** The org's client user from the network config. */
  readonly service: Gateway;
  private closed = false;
  private adminKey: JsonWebKey | undefined;
  /** The service user over a channel to another peer of the config, by endpoint (made when first asked). */
  private readonly servicesAt = new Map<string, { client: grpc.Client; gateway: Gateway }>();
  private readonly serviceKey: ReturnType<typeof serviceSigner>;

  constructor(
    private readonly config: ResolvedConfig,
    private readonly ca: CertificateAuthority,
  ) {
    const { peer } = config.org;
    this.client = peerGrpcClient(peer, { 'grpc.keepalive_time_ms': 60_000 });
    this.serviceKey = serviceSigner(createPrivateKey(config.org.user.privateKey));
    this.service = this.gateway(this.serviceIdentity(), this.serviceKey.signer, this.serviceKey.hash);
  }

  private serviceIdentity(): { mspId: string; credentials: Uint8Array } {
    return { mspId: this.config.org.mspId, credentials: Buffer.from(this.config.org.user.certificate) };
  }

  /**
   * The org's service user over a channel of its own to another peer of the config (another
   * org's too: a commit-status request only needs a reader of the channel), kept until close.
   */
  serviceAt(peer: FabricPeerConfig): Gateway {
    let at = this.servicesAt.get(peer.endpoint);
    if (!at) {
      const client = peerGrpcClient(peer, { 'grpc.keepalive_time_ms': 60_000 });
      at = { client, gateway: this.gateway(this.serviceIdentity(), this.serviceKey.signer, this.serviceKey.hash, client) };
      this.servicesAt.set(peer.endpoint, at);
    }
    return at.gateway;
  }

  private gateway(
    identity: { mspId: string; credentials: Uint8Array },
    signer: FabricSigner,
    digest: Hash = hash.sha256,
    client: grpc.Client = this.client,
  ): Gateway {
    const { evaluateTimeoutMs, endorseTimeoutMs, submitTimeoutMs } = this.config;
    return connect({
      client,
      identity,
      signer,
      hash: digest,
      evaluateOptions: () => ({ deadline: Date.now() + evaluateTimeoutMs }),
      endorseOptions: () => ({ deadline: Date.now() + endorseTimeoutMs }),
      submitOptions: () => ({ deadline: Date.now() + endorseTimeoutMs }),
      commitStatusOptions: () => ({ deadline: Date.now() + submitTimeoutMs }),
    });
  }

  /** A Gateway signing as the MSP identity of `signer`'s key (certificate issued from the org CA). */
  async gatewayFor(signer: Signer, field = '/signer'): Promise<Gateway> {
    checkAlgorithm(signer?.algorithm, `${field}/algorithm`);
    checkPublicKey(signer.publicKey, `${field}/publicKey`);
    const certificate = this.isAdmin(signer.publicKey) ? this.config.org.adminCertificate! : await this.ca.certificateFor(signer.publicKey);
    const identity = { mspId: this.config.org.mspId, credentials: Buffer.from(certificate) };
    return typeof signer.signMessage === 'function'
      ? this.gateway(identity, fabricMessageSigner(signer as Signer & Required<Pick<Signer, 'signMessage'>>), hash.none)
      : this.gateway(identity, fabricSigner(signer));
  }

  /** Whether `publicKey` is the key of the org admin's certificate (the config's `admin`): that signer acts as the admin. */
  private isAdmin(publicKey: Uint8Array): boolean {
    const pem = this.config.org.adminCertificate;
    if (pem === undefined) return false;
    this.adminKey ??= new X509Certificate(pem).publicKey.export({ format: 'jwk' });
    const point = Buffer.concat([Buffer.from([4]), Buffer.from(this.adminKey.x!, 'base64url'), Buffer.from(this.adminKey.y!, 'base64url')]);
    return point.equals(Buffer.from(publicKey));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.service.close();
    this.client.close();
    for (const at of this.servicesAt.values()) {
      at.gateway.close();
      at.client.close();
    }
    this.servicesAt.clear();
  }
}
