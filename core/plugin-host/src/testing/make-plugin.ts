/**
 * Test and benchmark helpers: a real adapter plugin folder on disk, a conformance report
 * for it and a certifier key. Not part of the build (`__fixtures__` is excluded).
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { KeyAlgorithm } from '@bsn/contract';
import { generatePrivateKey, publicKeyOf, toHex } from '@bsn/contract';
import type { CertifierKey } from '../certificate.js';
import type { SuiteCatalog } from '../certifiable.js';
import type { ConformanceReport, TargetKind } from '../report.js';
import type { TrustedCertifier } from '../trust.js';

export interface FixtureOptions {
  name?: string;
  version?: string;
  /** Manifest fields to override (or `undefined` to delete). */
  manifest?: Record<string, unknown>;
  /** Entry module source; default a factory with a `connect` that returns a stub adapter. */
  entrySource?: string;
  /** Extra files beyond the few defaults (for the 300-file benchmark). */
  extraFiles?: number;
  parent?: string;
  /** More files to write, by relative path. */
  files?: Record<string, string>;
  /** Contribute a devnets module whose one devnet (`local`, of this kind) never starts. */
  devnet?: { local: string; kind: TargetKind };
}

export const FACTORY_SOURCE = `import { greeting } from './lib/util.js';
export default {
  kind: 'fixture-factory',
  async connect(network) {
    return { describe: () => ({ framework: network.framework, greeting }), close: async () => {} };
  },
};
`;

export async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

/** A plugin folder: package.json, bsn-plugin.json, index.js (+ lib/util.js, README.md, extras). */
export async function makePluginFolder(options: FixtureOptions = {}): Promise<{ folder: string; manifest: Record<string, unknown> }> {
  const folder = await mkdtemp(join(options.parent ?? tmpdir(), 'bsn-plugin-'));
  const name = options.name ?? '@bsn/adapter-fixture';
  const version = options.version ?? '1.0.0';
  const manifest: Record<string, unknown> = {
    schemaVersion: 1,
    name,
    version,
    framework: 'ethereum',
    adapterApi: '^1.0.0',
    entry: 'index.js',
    capabilities: ['describe', 'gateway.submit', 'kv.preset'],
    keyAlgorithms: ['secp256k1'],
    frameworkVersions: ['>=1.0.0'],
  };
  for (const [k, v] of Object.entries(options.manifest ?? {})) {
    if (v === undefined) delete manifest[k];
    else manifest[k] = v;
  }
  const files: Record<string, string> = {
    'package.json': JSON.stringify({ name, version, type: 'module', main: 'index.js' }, null, 2),
    'bsn-plugin.json': JSON.stringify(manifest, null, 2),
    'index.js': options.entrySource ?? FACTORY_SOURCE,
    'lib/util.js': `export const greeting = 'hello from ${name}';\n`,
    'README.md': `# ${name}\n`,
  };
  if (options.devnet) {
    manifest['devnets'] = 'devnets.js';
    files['bsn-plugin.json'] = JSON.stringify(manifest, null, 2);
    const { local, kind } = options.devnet;
    files['devnets.js'] = `const devnet = { name: ${JSON.stringify(local)}, framework: 'ethereum', kind: ${JSON.stringify(kind)},
  async available() { return { ok: false, reason: 'a fixture' }; }, async start() { throw new Error('a fixture'); } };
export default { devnets: { ${JSON.stringify(local)}: () => devnet }, local: ${JSON.stringify(local)} };
`;
  }
  Object.assign(files, options.files ?? {});
  for (let i = 0; i < (options.extraFiles ?? 0); i++) {
    files[`lib/generated/m${i % 16}/file-${i}.js`] = `export const value${i} = ${JSON.stringify('v'.repeat(64 + (i % 200)))};\n`;
  }
  await writeFiles(folder, files);
  return { folder, manifest };
}

export function makeCertifier(
  name = 'Test Certifier',
  algorithm: KeyAlgorithm = 'secp256r1',
): { key: CertifierKey; trust: TrustedCertifier } {
  const privateKey = generatePrivateKey(algorithm);
  return { key: { algorithm, privateKey, name }, trust: { name, algorithm, publicKey: toHex(publicKeyOf(algorithm, privateKey)) } };
}

/** The catalog of the made-up suite `makeReport` reports on (four cases). */
export const FIXTURE_SUITE: SuiteCatalog = {
  name: '@bsn/conformance',
  version: '0.1.0',
  digest: `sha256:${'5'.repeat(64)}`,
  cases: [
    { id: 'DS-001', level: 'MUST', capability: 'describe' },
    { id: 'GW-003', level: 'MUST', capability: 'gateway.submit' },
    { id: 'KV-010', level: 'SHOULD', capability: 'kv.preset' },
    { id: 'IC-001', level: 'MUST', capability: 'interchain.emit' },
  ],
  requiredCapabilities: ['describe', 'gateway.submit', 'kv.preset'],
};

/** A complete run of FIXTURE_SUITE (SHOULD KV-010 failed, IC-001 of an unclaimed capability skipped). */
export function makeReport(
  adapter: { name: string; version: string; framework: string; digest: string },
  options: { kind?: TargetKind; failMust?: boolean } = {},
): ConformanceReport {
  const failMust = options.failMust ?? false;
  return {
    v: 1,
    suite: { name: FIXTURE_SUITE.name, version: FIXTURE_SUITE.version, digest: FIXTURE_SUITE.digest! },
    adapter: { ...adapter, capabilities: ['describe', 'gateway.submit', 'kv.preset'] },
    partial: false,
    target: { kind: options.kind ?? 'process', name: options.kind === 'emulator' ? 'evm-emulator' : 'anvil', node: 'anvil/v1.7.1' },
    startedAt: '2025-06-01T10:00:00.000Z',
    finishedAt: '2025-06-01T10:02:00.000Z',
    cases: [
      { id: 'DS-001', title: 'describe() matches the manifest', level: 'MUST', capability: 'describe', outcome: 'passed', durationMs: 2 },
      failMust
        ? {
            id: 'GW-003',
            title: 'submit returns only after commit',
            level: 'MUST',
            capability: 'gateway.submit',
            outcome: 'failed',
            durationMs: 120,
            failure: { message: 'receipt before commit' },
          }
        : {
            id: 'GW-003',
            title: 'submit returns only after commit',
            level: 'MUST',
            capability: 'gateway.submit',
            outcome: 'passed',
            durationMs: 120,
          },
      {
        id: 'KV-010',
        title: 'history lists deletes',
        level: 'SHOULD',
        capability: 'kv.preset',
        outcome: 'failed',
        durationMs: 30,
        failure: { message: 'no delete entry' },
      },
      {
        id: 'IC-001',
        title: 'emit',
        level: 'MUST',
        capability: 'interchain.emit',
        outcome: 'skipped',
        durationMs: 0,
        skipReason: 'capability not claimed',
      },
    ],
    summary: { passed: failMust ? 1 : 2, failed: failMust ? 2 : 1, skipped: 1, mustFailed: failMust ? 1 : 0 },
    verdict: failMust ? 'fail' : 'pass',
  };
}
