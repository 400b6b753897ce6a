import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { isBsnError, type NetworkConfig } from '@bsn/contract';
import { resolveConfig } from './config.js';

const cert = '-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n';
const key = '-----BEGIN PRIVATE KEY-----\nMIG\n-----END PRIVATE KEY-----\n';
const org = (mspId: string) => ({
  mspId,
  peers: [{ endpoint: '127.0.0.1:7051', hostOverride: `peer0.${mspId}`, tlsRootCert: cert }],
  user: { certificate: cert, privateKey: key },
  ca: { certificate: cert, privateKey: key },
});
const base = {
  framework: 'fabric',
  name: 'dev',
  fabricVersion: '2.5.9',
  channel: 'bsnchannel',
  chaincode: 'bsn-preset-kv',
  chaincodes: [],
  organizations: [org('Org1MSP'), org('Org2MSP')],
  orderer: {},
};

function fieldOf(network: Record<string, unknown>): string | undefined {
  try {
    resolveConfig(network as NetworkConfig);
  } catch (error) {
    if (!isBsnError(error, 'INVALID_INPUT')) throw error;
    return error.field;
  }
  return undefined;
}

describe('network config', () => {
  test('the devnet shape resolves, acting for the first org unless told otherwise', () => {
    const c = resolveConfig(base as NetworkConfig);
    expect(c.org.mspId).toBe('Org1MSP');
    expect(c.mspIds).toEqual(['Org1MSP', 'Org2MSP']);
    expect(c.submitTimeoutMs).toBe(60_000);
    expect(resolveConfig({ ...base, organization: 'Org2MSP' } as NetworkConfig).org.peer.hostOverride).toBe('peer0.Org2MSP');
  });

  test('bad fields are INVALID_INPUT naming them', () => {
    expect(fieldOf(null as never)).toBe('/');
    expect(fieldOf({ ...base, framework: 'ethereum' })).toBe('/framework');
    expect(fieldOf({ ...base, name: '' })).toBe('/name');
    expect(fieldOf({ ...base, chaincode: undefined })).toBe('/chaincode');
    expect(fieldOf({ ...base, chaincode: '' })).toBe('/chaincode');
    expect(fieldOf({ ...base, channel: 'Bad Channel' })).toBe('/channel');
    expect(fieldOf({ ...base, organizations: [] })).toBe('/organizations');
    expect(fieldOf({ ...base, organization: 'Org9MSP' })).toBe('/organization');
    expect(fieldOf({ ...base, organization: '' })).toBe('/organization');
    expect(fieldOf({ ...base, organizations: [{ ...org('Org1MSP'), mspId: '' }] })).toBe('/organizations/0/mspId');
    expect(fieldOf({ ...base, organizations: [{ ...org('Org1MSP'), peers: [] }] })).toBe('/organizations/0/peers');
    expect(fieldOf({ ...base, organizations: [{ ...org('Org1MSP'), peers: [{ endpoint: 'no port', tlsRootCert: cert }] }] })).toBe(
      '/organizations/0/peers/0/endpoint',
    );
    expect(
      fieldOf({ ...base, organizations: [{ ...org('Org1MSP'), peers: [{ endpoint: 'p:7051', hostOverride: '', tlsRootCert: cert }] }] }),
    ).toBe('/organizations/0/peers/0/hostOverride');
    expect(fieldOf({ ...base, organizations: [{ ...org('Org1MSP'), peers: [{ endpoint: 'p:7051', tlsRootCert: 'nope' }] }] })).toBe(
      '/organizations/0/peers/0/tlsRootCert',
    );
    expect(fieldOf({ ...base, organizations: [{ ...org('Org1MSP'), ca: { certificate: 'nope', privateKey: key } }] })).toBe(
      '/organizations/0/ca/certificate',
    );
    expect(fieldOf({ ...base, organizations: [{ ...org('Org1MSP'), user: { certificate: cert, privateKey: 'nope' } }] })).toBe(
      '/organizations/0/user/privateKey',
    );
    expect(fieldOf({ ...base, organizations: [{ ...org('Org1MSP'), user: undefined }] })).toBe('/organizations/0/user');
    expect(fieldOf({ ...base, submitTimeoutMs: 5 })).toBe('/submitTimeoutMs');
    expect(fieldOf({ ...base, evaluateTimeoutMs: 1.5 })).toBe('/evaluateTimeoutMs');
  });

  test("a refusal names the schema's pointers, every violation on a line", () => {
    expect(() => resolveConfig({ ...base, channel: 'Bad Channel', submitTimeoutMs: 5 } as NetworkConfig)).toThrow(
      /network \/channel: .*\n.*network \/submitTimeoutMs: /s,
    );
  });

  test('the schema names every field resolveConfig knows', () => {
    const schema = JSON.parse(readFileSync(new URL('../network-config.schema.json', import.meta.url), 'utf8')) as {
      properties: Record<string, unknown>;
      required: string[];
    };
    for (const field of [
      'framework',
      'name',
      'channel',
      'chaincode',
      'organizations',
      'organization',
      'evaluateTimeoutMs',
      'endorseTimeoutMs',
      'submitTimeoutMs',
      'preparedTtlMs',
    ]) {
      expect(Object.keys(schema.properties)).toContain(field);
    }
    expect(schema.required).toEqual(['framework', 'name', 'channel', 'chaincode', 'organizations']);
  });
});
