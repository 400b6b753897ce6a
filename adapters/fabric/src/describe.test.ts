import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, test } from 'vitest';
import { MIN_LIMITS } from '@bsn/contract';
import { describedByManifest } from '@bsn/contract/testing';
import { describeAdapter } from './describe.js';
import { LIMITS } from './limits.js';

const require = createRequire(import.meta.url);
/** docs/adapter-contract.md §3: what every adapter must claim. */
const REQUIRED = [
  'describe',
  'identity.derive',
  'gateway.submit',
  'gateway.evaluate',
  'gateway.events',
  'gateway.lookup',
  'gateway.health',
  'lifecycle.create',
  'kv.preset',
];
const MANIFEST_URL = new URL('../bsn-plugin.json', import.meta.url);
const manifest = JSON.parse(readFileSync(MANIFEST_URL, 'utf8')) as Record<string, unknown>;
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  name: string;
  version: string;
  files: string[];
};

describe('describe() and the manifest', () => {
  test("describe() is the manifest's fields plus immediate finality and the limits; the manifest agrees with package.json", () => {
    expect(describeAdapter()).toEqual({ ...describedByManifest(MANIFEST_URL), finality: { kind: 'immediate' }, limits: LIMITS });
    expect(manifest.framework).toBe('fabric');
    expect(manifest.keyAlgorithms).toEqual(['secp256r1']);
    expect(manifest.name).toBe(pkg.name);
    expect(manifest.version).toBe(pkg.version);
    for (const c of REQUIRED) expect(manifest.capabilities).toContain(c);
  });

  test('the package ships what the manifest digests, including the chaincode', () => {
    expect(manifest.files).toEqual(expect.arrayContaining(['dist', 'chaincode', 'network-config.schema.json']));
    expect(pkg.files).toEqual(expect.arrayContaining(['dist', 'chaincode', 'bsn-plugin.json', 'network-config.schema.json']));
  });

  test("limits meet the standard and equal the chaincode's own", () => {
    expect(LIMITS.maxValueBytes).toBeGreaterThanOrEqual(MIN_LIMITS.maxValueBytes);
    expect(LIMITS.maxKeyBytes).toBeGreaterThanOrEqual(MIN_LIMITS.maxKeyBytes);
    const rules = require('../chaincode/lib/rules.js') as { LIMITS: typeof LIMITS };
    expect({ ...rules.LIMITS }).toEqual(LIMITS);
  });
});
