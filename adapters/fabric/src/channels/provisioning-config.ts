import { UnavailableError } from '@bsn/contract';
import type { CertAndKey, FabricPeerConfig } from '../config.js';
import { FRAMEWORK } from '../describe.js';

export interface OrgProvisioning {
  mspId: string;
  peer: FabricPeerConfig;
  /** The org admin (OU=admin): joins its peer, approves the chaincode definition for its org. */
  admin: CertAndKey;
  /** The preset chaincode's package as installed on this org's peer. */
  packageId: string;
  /** Where the config gives it (JSON pointer), for errors about it. */
  packageIdField: string;
}

export interface OrdererAdminTarget {
  /** `host:port` of the channel participation API (HTTPS, client certificates). */
  adminEndpoint: string;
  hostOverride?: string;
  /** The orderer's TLS CA: the admin endpoint's server certificate chains to it. */
  tlsRootCert: string;
  adminTlsClient: CertAndKey;
}

/** What creating a channel takes beyond what every app operation needs. */
export interface ProvisioningConfig {
  orgs: OrgProvisioning[];
  orderer: OrdererAdminTarget;
}

/**
 * Admin material is refused here, before anything is created, naming the network-config field
 * (JSON pointer) that lacks it: UNAVAILABLE, because the caller's request is sound and this
 * network's config does not let the adapter do it.
 */
function missing(field: string, what: string): never {
  unusable(field, `network config ${field}: ${what}`);
}

function unusable(field: string, message: string): never {
  throw new UnavailableError(`${message} (needed to create a dedicated app's channel)`, {
    stage: 'validate',
    field,
    detail: { framework: FRAMEWORK, message: `missing or malformed ${field}`, data: { configField: field } },
  });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Readers of the raw config's admin material (beyond what the schema requires), refusing through `unusable`. */
function str(value: unknown, field: string, what: string): string {
  if (typeof value !== 'string' || value.length === 0) unusable(field, `network config: ${what} must be a non-empty string`);
  return value;
}

function pem(value: unknown, field: string, kind: 'CERTIFICATE' | 'PRIVATE KEY'): string {
  const text = str(value, field, field.slice(1));
  if (!text.includes(`-----BEGIN ${kind}-----`) && !(kind === 'PRIVATE KEY' && /-----BEGIN (EC )?PRIVATE KEY-----/.test(text))) {
    unusable(field, `network config: ${field.slice(1)} must be a PEM ${kind.toLowerCase()}`);
  }
  return text;
}

function certAndKey(value: unknown, field: string): CertAndKey {
  if (!isObject(value)) unusable(field, `network config: ${field.slice(1)} must be { certificate, privateKey }`);
  return {
    certificate: pem(value.certificate, `${field}/certificate`, 'CERTIFICATE'),
    privateKey: pem(value.privateKey, `${field}/privateKey`, 'PRIVATE KEY'),
  };
}

/** Reads the admin material of every org and the orderer's participation API from the raw network config. */
export function provisioningConfig(network: Record<string, unknown>, chaincode: string): ProvisioningConfig {
  const definitions = Array.isArray(network.chaincodes) ? network.chaincodes : [];
  const index = definitions.findIndex((d) => isObject(d) && d.name === chaincode);
  if (index < 0) missing('/chaincodes', `must list the preset chaincode ${JSON.stringify(chaincode)} with its package id`);
  const definition = definitions[index] as Record<string, unknown>;
  const packageIds = isObject(definition.packageIds) ? definition.packageIds : {};
  const orgs = (network.organizations as unknown[]).map((o, i): OrgProvisioning => {
    const org = o as Record<string, unknown>;
    const at = `/organizations/${i}`;
    const mspId = org.mspId as string;
    const peer =
      Array.isArray(org.peers) && isObject(org.peers[0]) ? org.peers[0] : missing(`${at}/peers/0`, 'the org needs a peer to join');
    const packageIdField = packageIds[mspId] !== undefined ? `/chaincodes/${index}/packageIds/${mspId}` : `/chaincodes/${index}/packageId`;
    const packageId = str(packageIds[mspId] ?? definition.packageId, packageIdField, 'the installed package id');
    return {
      mspId,
      peer: {
        endpoint: str(peer.endpoint, `${at}/peers/0/endpoint`, 'host:port'),
        ...(typeof peer.hostOverride === 'string' && { hostOverride: peer.hostOverride }),
        tlsRootCert: pem(peer.tlsRootCert, `${at}/peers/0/tlsRootCert`, 'CERTIFICATE'),
      },
      admin: certAndKey(org.admin, `${at}/admin`),
      packageId,
      packageIdField,
    };
  });
  const orderer = isObject(network.orderer)
    ? network.orderer
    : missing('/orderer', 'must describe the orderer and its channel participation API');
  return {
    orgs,
    orderer: {
      adminEndpoint: str(orderer.adminEndpoint, '/orderer/adminEndpoint', 'host:port of the channel participation API'),
      ...(typeof orderer.hostOverride === 'string' && { hostOverride: orderer.hostOverride }),
      tlsRootCert: pem(orderer.tlsRootCert, '/orderer/tlsRootCert', 'CERTIFICATE'),
      adminTlsClient: certAndKey(orderer.adminTlsClient, '/orderer/adminTlsClient'),
    },
  };
}
