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
const base = { framework: 'fabric', name: 'dev', fabricVersion: '2.5.9', channel: 'bsnchannel', chaincode: 'bsn-preset-kv', chaincodes: [], organizations: [org('Org1MSP'), org('Org2MSP')], orderer: {} };

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
    expect(fieldOf({ ...base, framework: 'ethereum' })).toBe('/framework');
    expect(fieldOf({ ...base, chaincode: undefined })).toBe('/chaincode');
    expect(fieldOf({ ...base, channel: 'Bad Channel' })).toBe('/channel');
    expect(fieldOf({ ...base, organization: 'Org9MSP' })).toBe('/organization');
    expect(fieldOf({ ...base, organizations: [{ ...org('Org1MSP'), ca: { certificate: 'nope', privateKey: key } }] })).toBe('/organizations/0/ca/certificate');
    expect(fieldOf({ ...base, submitTimeoutMs: 5 })).toBe('/submitTimeoutMs');
  });

  test('the schema names every field resolveConfig knows', () => {
    const schema = JSON.parse(readFileSync(new URL('../network-config.schema.json', import.meta.url), 'utf8')) as { properties: Record<string, unknown>; required: string[] };
    for (const field of ['framework', 'name', 'channel', 'chaincode', 'organizations', 'organization', 'evaluateTimeoutMs', 'endorseTimeoutMs', 'submitTimeoutMs', 'preparedTtlMs']) {
      expect(Object.keys(schema.properties)).toContain(field);
    }
    expect(schema.required).toEqual(['framework', 'name', 'channel', 'chaincode', 'organizations']);
  });
});

describe('network-config.schema.json', () => {
  test('accepts the devnet shape and refuses what resolveConfig refuses', async () => {
    const { Ajv2020 } = await import('ajv/dist/2020.js');
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const schema = JSON.parse(readFileSync(new URL('../network-config.schema.json', import.meta.url), 'utf8')) as object;
    const validate = ajv.compile(schema);
    expect(validate(base), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...base, framework: 'ethereum' })).toBe(false);
    expect(validate({ ...base, chaincode: undefined })).toBe(false);
    expect(validate({ ...base, organizations: [{ ...org('Org1MSP'), peers: [{ endpoint: 'no port', tlsRootCert: cert }] }] })).toBe(false);
    expect(validate({ ...base, submitTimeoutMs: 5 })).toBe(false);
  });
});
