import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { CAPABILITIES, validateSchema } from '@bsn/contract';
import { describedByManifest } from '@bsn/contract/testing';
import { FRAMEWORK, describeAdapter } from './describe.js';
import { LIMITS } from './limits.js';

const MANIFEST_URL = new URL('../bsn-plugin.json', import.meta.url);
const pkgFile = (name: string) => JSON.parse(readFileSync(new URL(`../${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

describe('manifest and description', () => {
  const manifest = pkgFile('bsn-plugin.json') as {
    framework: string;
    capabilities: string[];
    keyAlgorithms: string[];
    frameworkVersions: string[];
    name: string;
    version: string;
    files: string[];
  };
  const pkg = pkgFile('package.json') as { name: string; version: string; files: string[] };

  test('the manifest is valid and claims exactly what describe() claims', () => {
    const result = validateSchema('plugin-manifest', manifest);
    expect(result).toEqual({ ok: true });
    const d = describeAdapter(3);
    expect(d).toEqual({ ...describedByManifest(MANIFEST_URL), finality: { kind: 'probabilistic', depth: 3 }, limits: LIMITS });
    expect(manifest.framework).toBe(FRAMEWORK);
    expect([manifest.name, manifest.version]).toEqual([pkg.name, pkg.version]);
    for (const c of d.capabilities) expect(CAPABILITIES).toContain(c);
    // the whole of interchain: the source half and delivery
    expect(d.capabilities.filter((c) => c.startsWith('interchain.'))).toEqual([
      'interchain.emit',
      'interchain.evidence',
      'interchain.verify',
      'interchain.deliver',
    ]);
    expect(pkg.files).toEqual(expect.arrayContaining(['dist', 'artifacts', 'bsn-plugin.json', 'network-config.schema.json', 'README.md']));
  });

  test('limits meet the standard and match the contract constants', () => {
    expect(LIMITS.maxValueBytes).toBeGreaterThanOrEqual(4096);
    expect(LIMITS.maxKeyBytes).toBeGreaterThanOrEqual(256);
    const source = readFileSync(new URL('../contracts/BsnInput.sol', import.meta.url), 'utf8');
    expect(source).toContain(`MAX_VALUE_BYTES = ${LIMITS.maxValueBytes};`);
    expect(source).toContain(`MAX_KEY_BYTES = ${LIMITS.maxKeyBytes};`);
  });
});
