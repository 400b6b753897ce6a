import { isBsnError } from '@bsn/contract';
import { describe, expect, test } from 'vitest';
import { provisioningConfig } from './provisioning-config.js';

const CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n';
const pair = { certificate: CERT, privateKey: KEY };

function network(): Record<string, unknown> {
  const org = (n: number) => ({
    mspId: `Org${n}MSP`,
    peers: [{ endpoint: `127.0.0.1:70${n}1`, hostOverride: `peer0.org${n}`, tlsRootCert: CERT }],
    admin: pair,
    user: pair,
    ca: pair,
  });
  return structuredClone({
    chaincodes: [{ name: 'bsn-preset-kv', version: '1', sequence: 1, packageId: 'kv:aa', packageIds: { Org2MSP: 'kv:bb' } }],
    organizations: [org(1), org(2)],
    orderer: { adminEndpoint: '127.0.0.1:7053', hostOverride: 'orderer', tlsRootCert: CERT, adminTlsClient: pair },
  });
}

function refusal(change: (n: Record<string, any>) => void): string {
  const n = network() as Record<string, any>;
  change(n);
  try {
    provisioningConfig(n, 'bsn-preset-kv');
    return 'accepted';
  } catch (error) {
    return isBsnError(error) ? `${error.code} ${error.field}` : String(error);
  }
}

describe('the admin material a dedicated channel needs', () => {
  test('is read per org (package id per org where the config gives one) and for the orderer', () => {
    const c = provisioningConfig(network(), 'bsn-preset-kv');
    expect(c.orgs.map((o) => [o.mspId, o.packageId, o.peer.endpoint])).toEqual([
      ['Org1MSP', 'kv:aa', '127.0.0.1:7011'],
      ['Org2MSP', 'kv:bb', '127.0.0.1:7021'],
    ]);
    expect(c.orderer.adminEndpoint).toBe('127.0.0.1:7053');
  });

  test('missing or malformed material is UNAVAILABLE naming the network-config field', () => {
    expect(
      refusal((n) => {
        delete n.organizations[1].admin;
      }),
    ).toBe('UNAVAILABLE /organizations/1/admin');
    expect(
      refusal((n) => {
        n.organizations[0].admin.privateKey = 'not a key';
      }),
    ).toBe('UNAVAILABLE /organizations/0/admin/privateKey');
    expect(
      refusal((n) => {
        delete n.orderer;
      }),
    ).toBe('UNAVAILABLE /orderer');
    expect(
      refusal((n) => {
        delete n.orderer.adminTlsClient;
      }),
    ).toBe('UNAVAILABLE /orderer/adminTlsClient');
    expect(
      refusal((n) => {
        delete n.orderer.adminEndpoint;
      }),
    ).toBe('UNAVAILABLE /orderer/adminEndpoint');
    expect(
      refusal((n) => {
        n.chaincodes = [];
      }),
    ).toBe('UNAVAILABLE /chaincodes');
    expect(
      refusal((n) => {
        delete n.chaincodes[0].packageId;
      }),
    ).toBe('UNAVAILABLE /chaincodes/0/packageId');
  });
});
