import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, test } from 'vitest';
import { MIN_LIMITS } from '@bsn/contract';
import { ADAPTER_NAME, ADAPTER_VERSION, CLAIMED_CAPABILITIES, describeAdapter } from './describe.js';
import { LIMITS } from './limits.js';

const require = createRequire(import.meta.url);
/** docs/adapter-contract.md §3: what every adapter must claim. */
const REQUIRED = ['describe', 'identity.derive', 'gateway.submit', 'gateway.evaluate', 'gateway.events', 'gateway.lookup', 'gateway.health', 'lifecycle.create', 'kv.preset'];
const manifest = JSON.parse(readFileSync(new URL('../bsn-plugin.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string; version: string; files: string[] };

describe('describe() and the manifest', () => {
  test('agree with each other and with package.json', () => {
    const d = describeAdapter();
    expect(d.framework).toBe(manifest.framework);
    expect(d.adapter).toEqual({ name: manifest.name, version: manifest.version });
    expect(ADAPTER_NAME).toBe(pkg.name);
    expect(ADAPTER_VERSION).toBe(pkg.version);
    expect([...d.capabilities].sort()).toEqual([...(manifest.capabilities as string[])].sort());
    expect(d.keyAlgorithms).toEqual(manifest.keyAlgorithms);
    expect(d.frameworkVersions).toEqual(manifest.frameworkVersions);
    expect(d.finality).toEqual({ kind: 'immediate' });
    for (const c of REQUIRED) expect(CLAIMED_CAPABILITIES).toContain(c);
  });

  test('the package ships what the manifest digests, including the chaincode', () => {
    expect(manifest.files).toEqual(expect.arrayContaining(['dist', 'chaincode', 'network-config.schema.json']));
    expect(pkg.files).toEqual(expect.arrayContaining(['dist', 'chaincode', 'bsn-plugin.json', 'network-config.schema.json']));
  });

  test('limits meet the standard and equal the chaincode\'s own', () => {
    expect(LIMITS.maxValueBytes).toBeGreaterThanOrEqual(MIN_LIMITS.maxValueBytes);
    expect(LIMITS.maxKeyBytes).toBeGreaterThanOrEqual(MIN_LIMITS.maxKeyBytes);
    const rules = require('../chaincode/lib/rules.js') as { LIMITS: typeof LIMITS };
    expect({ ...rules.LIMITS }).toEqual(LIMITS);
  });
});
