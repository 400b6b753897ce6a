import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';
import { ADAPTER_API_VERSION } from '../contract/version.js';
import { describeFromManifest, readPluginManifest } from '../kit/describe.js';
import { describedByManifest } from './manifest.js';

it('describedByManifest is what describe() reports from the manifest, read from the file itself', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bsn-manifest-'));
  try {
    const file = join(dir, 'bsn-plugin.json');
    const manifest = {
      name: 'bsn-adapter-acme',
      version: '1.2.3',
      framework: 'acme',
      adapterApi: '^1.1.0',
      entry: 'dist/index.js',
      frameworkVersions: ['>=2 <3'],
      keyAlgorithms: ['secp256r1', 'secp256k1'],
      capabilities: ['describe', 'kv.preset'],
    };
    writeFileSync(file, JSON.stringify(manifest));
    const url = pathToFileURL(file);
    const expected = describedByManifest(url);
    expect(expected).toEqual({
      framework: 'acme',
      adapter: { name: 'bsn-adapter-acme', version: '1.2.3' },
      adapterApi: ADAPTER_API_VERSION,
      frameworkVersions: ['>=2 <3'],
      keyAlgorithms: ['secp256r1', 'secp256k1'],
      capabilities: ['describe', 'kv.preset'],
    });
    const runtime = { finality: { kind: 'immediate' as const }, limits: { maxValueBytes: 4096, maxKeyBytes: 256, maxPageSize: 10 } };
    expect(describeFromManifest(readPluginManifest(url), runtime)).toEqual({ ...expected, ...runtime });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
