import { readFileSync } from 'node:fs';
import type { NetworkConfig } from '@bsn/contract';
import type { DeployedChaincode } from './chaincode.js';
import { ORDERER_MSP, type CertAndKey, type CryptoMaterial, type PeerOrgSpec } from './crypto.js';
import { FABRIC_VERSION } from './fabric-build.js';

/**
 * What a Fabric adapter is given by the devnet: everything needed to connect with
 * `@hyperledger/fabric-gateway` over gRPC with TLS, as plain JSON (PEM strings, no paths).
 */
export interface FabricNetworkConfig extends NetworkConfig {
  framework: 'fabric';
  /** Fabric release the nodes run, e.g. `2.5.9`. */
  fabricVersion: string;
  /** The application channel every org's peer has joined. */
  channel: string;
  /** The chaincode to use by default: the first of `chaincodes`, or absent when none was deployed. */
  chaincode?: string;
  chaincodes: FabricChaincodeDefinition[];
  organizations: FabricOrganization[];
  orderer: FabricOrderer;
}

export interface FabricChaincodeDefinition {
  name: string;
  version: string;
  sequence: number;
  /** `label:sha256`, as installed on every peer (chaincode as a service); with one server per org, Org1's. */
  packageId: string;
  /** With one chaincode server per org (`serverPerOrg`): each org's own package id, by MSP id. */
  packageIds?: Record<string, string>;
  /** Signature policy the definition was committed with, e.g. `AND('Org1MSP.peer','Org2MSP.peer')`. */
  endorsementPolicy: string;
}

export interface FabricPeer {
  /** `host:port` to dial, e.g. `127.0.0.1:40123`. */
  endpoint: string;
  /** TLS server name to expect (gRPC `grpc.ssl_target_name_override`); the cert also names 127.0.0.1. */
  hostOverride: string;
  /** PEM of the TLS CA that issued the peer's TLS certificate. */
  tlsRootCert: string;
}

export interface FabricOrganization {
  mspId: string;
  /** The org's peers; the first one is its gateway peer (Gateway service enabled). */
  peers: FabricPeer[];
  /** The org admin (OU=admin): may install, approve and commit chaincode and update the channel. */
  admin: CertAndKey;
  /** An ordinary client identity (OU=client): may submit and evaluate transactions. */
  user: CertAndKey;
  /**
   * The org's signing CA, to issue further MSP identities (e.g. one per BSN user). The MSP
   * uses NodeOUs: a certificate it issues is a member only with OU=client (or admin/peer) in
   * its subject.
   */
  ca: CertAndKey;
  /** The org's TLS CA, to issue TLS client certificates should a node require them. */
  tlsCa: CertAndKey;
}

export interface FabricOrderer {
  mspId: string;
  /** Broadcast/Deliver gRPC endpoint (TLS). */
  endpoint: string;
  hostOverride: string;
  /** PEM of the orderer org's TLS CA. */
  tlsRootCert: string;
  /**
   * Channel participation API (`/participation/v1/channels`, HTTPS with client certificates):
   * what joins the orderer to a new channel's genesis block, e.g. one channel per BSN app.
   */
  adminEndpoint: string;
  /** TLS client certificate and key the admin API accepts. */
  adminTlsClient: CertAndKey;
  /** The orderer org admin's signing identity (OU=admin). */
  admin: CertAndKey;
  /** The orderer's TLS certificate: what a new channel's etcdraft consenter entry names. */
  consenterTlsCert: string;
  /** The orderer org's signing CA and TLS CA, for its MSP definition in new channel configs. */
  ca: CertAndKey;
  tlsCa: CertAndKey;
}

/** The `organizations` of a network config: each org's peers as reached from `host`, its identities and CAs. */
export function orgConfigs(
  crypto: CryptoMaterial,
  orgs: PeerOrgSpec[],
  peers: Array<{ org: PeerOrgSpec; host: string; port: number }>,
  host: string,
): FabricOrganization[] {
  return orgs.map((org) => {
    const material = crypto.peers.get(org.mspId)!;
    const tlsRootCert = readFileSync(material.tlsCaCertPath(), 'utf8');
    return {
      mspId: org.mspId,
      peers: peers
        .filter((p) => p.org === org)
        .map((p) => ({
          endpoint: `${host}:${p.port}`,
          hostOverride: `${p.host}.${org.domain}`,
          tlsRootCert,
        })),
      admin: material.identity('Admin'),
      user: material.identity('User1'),
      ca: material.ca(),
      tlsCa: material.tlsCa(),
    };
  });
}

/** The network config a started devnet hands to adapters. */
export function networkConfig(
  name: string,
  crypto: CryptoMaterial,
  organizations: FabricOrganization[],
  channel: string,
  chaincodes: DeployedChaincode[],
  orderer: { port: number; adminPort: number },
  host: string,
): FabricNetworkConfig {
  const ordererTls = crypto.orderer.nodeTls('orderer');
  const adminTls = crypto.orderer.userTls('Admin');
  return {
    framework: 'fabric',
    name,
    fabricVersion: FABRIC_VERSION,
    channel,
    ...(chaincodes[0] ? { chaincode: chaincodes[0].name } : {}),
    chaincodes: chaincodes.map(({ name, version, sequence, packageId, endorsementPolicy, servers }) => ({
      name,
      version,
      sequence,
      packageId,
      endorsementPolicy,
      ...(servers.some((sv) => sv.mspId) && { packageIds: Object.fromEntries(servers.map((sv) => [sv.mspId!, sv.packageId])) }),
    })),
    organizations,
    orderer: {
      mspId: ORDERER_MSP,
      endpoint: `${host}:${orderer.port}`,
      hostOverride: `orderer.${crypto.orderer.domain}`,
      tlsRootCert: readFileSync(crypto.orderer.tlsCaCertPath(), 'utf8'),
      adminEndpoint: `${host}:${orderer.adminPort}`,
      adminTlsClient: { certificate: readFileSync(adminTls.cert, 'utf8'), privateKey: readFileSync(adminTls.key, 'utf8') },
      admin: crypto.orderer.identity('Admin'),
      consenterTlsCert: readFileSync(ordererTls.cert, 'utf8'),
      ca: crypto.orderer.ca(),
      tlsCa: crypto.orderer.tlsCa(),
    },
  };
}
