import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { assertSchema, schemasDir, validateSchema } from './validator.js';
import { isBsnError } from '../errors/errors.js';

const manifest = {
  schemaVersion: 1,
  name: '@bsn/adapter-test',
  version: '1.2.3',
  framework: 'ethereum',
  adapterApi: '^1.0.0',
  entry: 'index.js',
  capabilities: ['describe', 'kv.preset'],
  keyAlgorithms: ['secp256k1'],
  frameworkVersions: ['>=1.0.0 <2'],
};

describe('schema validator', () => {
  it('finds the repository schemas folder from the module', () => {
    expect(existsSync(join(schemasDir(), 'plugin-manifest.schema.json'))).toBe(true);
  });

  it('accepts a valid manifest', () => {
    expect(validateSchema('plugin-manifest', manifest)).toEqual({ ok: true });
    expect(
      validateSchema('plugin-manifest', { ...manifest, entry: './dist/index.js', files: ['dist'], configSchema: 'config.schema.json' }),
    ).toEqual({ ok: true });
  });

  it('names every offending field as a JSON pointer with what was expected and found', () => {
    const bad = { ...manifest, adapterApi: 5, entry: '../outside.js', keyAlgorithms: ['rsa'], extra: true } as Record<string, unknown>;
    delete bad['framework'];
    const result = validateSchema('plugin-manifest', bad);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const lines = result.violations.map((v) => `${v.pointer}: ${v.message}`);
    expect(lines).toContain('/adapterApi: must be string (got number)');
    expect(lines).toContain('/framework: is required (missing)');
    expect(lines).toContain('/extra: is not allowed (unknown property)');
    expect(lines).toContain('/keyAlgorithms/0: must be one of "secp256k1", "secp256r1", "sm2" (got "rsa")');
    expect(lines.some((l) => l.startsWith('/entry: must match the pattern'))).toBe(true);
  });

  it('checks semver ranges with node-semver', () => {
    const result = validateSchema('plugin-manifest', { ...manifest, adapterApi: 'not a range', frameworkVersions: ['>=2.5 <3', 'x y z'] });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.violations.map((v) => v.pointer)).toEqual(['/adapterApi', '/frameworkVersions/1']);
    expect(result.violations[0]!.message).toBe('must be a valid semver-range (got "not a range")');
  });

  it('throws an InvalidInputError with one labelled line per violation', () => {
    let caught: unknown;
    try {
      assertSchema('plugin-manifest', { ...manifest, adapterApi: 1, version: 'v1' }, 'manifest');
    } catch (err) {
      caught = err;
    }
    expect(isBsnError(caught, 'INVALID_INPUT')).toBe(true);
    const message = (caught as Error).message.split('\n');
    expect(message).toContain('manifest /adapterApi: must be string (got number)');
    expect(message.some((l) => l.startsWith('manifest /version: must match the pattern'))).toBe(true);
    expect((caught as { field?: string }).field).toBe('/version');
  });

  it('requires failure details on failed report cases', () => {
    const report = {
      v: 1,
      suite: { name: '@bsn/conformance', version: '0.1.0', digest: `sha256:${'b'.repeat(64)}` },
      adapter: { name: 'x', version: '1.0.0', framework: 'ethereum', digest: `sha256:${'a'.repeat(64)}`, capabilities: ['gateway.submit'] },
      partial: false,
      target: { kind: 'process', name: 'anvil', node: 'anvil/1.7.1' },
      startedAt: '2025-01-01T00:00:00Z',
      finishedAt: '2025-01-01T00:01:00Z',
      cases: [{ id: 'GW-003', title: 't', level: 'MUST', capability: 'gateway.submit', outcome: 'failed', durationMs: 3 }],
      summary: { passed: 0, failed: 1, skipped: 0, mustFailed: 1 },
      verdict: 'fail',
    };
    const result = validateSchema('conformance-report', report);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.violations.map((v) => `${v.pointer}: ${v.message}`)).toEqual(['/cases/0/failure: is required (missing)']);
  });

  it('fails loudly for an unknown schema', () => {
    expect(() => validateSchema('no-such', {})).toThrow(/no JSON schema https:\/\/bsn.dev\/schemas\/no-such.schema.json/);
  });
});
