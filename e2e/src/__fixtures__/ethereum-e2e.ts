/**
 * Test support for the end-to-end tests: a snapshot of the Ethereum adapter plugin (copied
 * under .cache/ so a concurrent rebuild cannot change its digest mid-test; node_modules is
 * still found from there), certificates for it, and the adapter's own anvil devnet.
 */
import { cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { issueCertificate, writeCertificate, computePluginDigest, readManifest } from '@bsn/plugin-host';
import { makeCertifier, FIXTURE_SUITE, makeReport } from '@bsn/plugin-host/testing';
import { AnvilDevnet } from '@bsn/adapter-ethereum/devnets';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const ADAPTER_DIR = join(ROOT, 'adapters', 'ethereum');

export interface StartedAnvil {
  node: string;
  network: { framework: string; name: string; rpcUrl: string; chainId: number; confirmations: number; faucet?: { privateKey: string } };
  stop(): Promise<void>;
}

/** Why the e2e tests cannot run here, or undefined. */
export async function e2eSkipReason(): Promise<string | undefined> {
  if (!existsSync(join(ADAPTER_DIR, 'dist', 'index.js')))
    return `the Ethereum adapter is not built (${ADAPTER_DIR}/dist; run npm run build)`;
  if (!existsSync(join(ROOT, 'core', 'contract', 'dist', 'index.js'))) return 'the packages are not built (core/*/dist; run npm run build)';
  const availability = await new AnvilDevnet().available();
  return availability.ok ? undefined : `anvil is unavailable: ${availability.reason}`;
}

export async function startAnvil(): Promise<StartedAnvil> {
  return (await new AnvilDevnet().start()) as unknown as StartedAnvil;
}

/**
 * What a node started by `bsn node start` must be told to accept these copies' certificates:
 * they are of the fixture suite, and the CLI otherwise requires the installed kit's version.
 */
export const FIXTURE_SUITES = { current: FIXTURE_SUITE.version };

/** A copy of the plugin with a certificate from a fresh test certifier, plus a tampered and an uncertified variant. */
export async function certifiedPluginCopies(): Promise<{
  dir: string;
  good: string;
  goodCert: string;
  tampered: string;
  tamperedCert: string;
  uncertified: string;
  trustFile: string;
}> {
  await mkdir(join(ROOT, '.cache'), { recursive: true });
  const dir = await mkdtemp(join(ROOT, '.cache', 'e2e-plugins-'));
  const copy = async (name: string) => {
    const to = join(dir, name);
    // src only so the dist source maps resolve; the manifest's `files` keep it out of the digest.
    for (const f of [
      'dist',
      'src',
      'artifacts',
      'contracts',
      'bsn-plugin.json',
      'package.json',
      'network-config.schema.json',
      'README.md',
    ]) {
      if (existsSync(join(ADAPTER_DIR, f))) await cp(join(ADAPTER_DIR, f), join(to, f), { recursive: true });
    }
    return to;
  };
  const [good, tampered, uncertified] = [await copy('good'), await copy('tampered'), await copy('uncertified')];
  const certifier = makeCertifier('E2E certifier');
  const manifest = await readManifest(good);
  const digest = await computePluginDigest(good, manifest.files);
  const cert = issueCertificate(
    makeReport({ name: manifest.name, version: manifest.version, framework: manifest.framework, digest: digest.digest }),
    certifier.key,
    { suite: FIXTURE_SUITE },
  );
  const goodCert = join(dir, 'good-cert.json');
  const tamperedCert = join(dir, 'tampered-cert.json');
  await writeCertificate(goodCert, cert);
  await writeCertificate(tamperedCert, cert);
  // Tampering: one shipped file changes after certification.
  await writeFile(
    join(tampered, 'dist', 'limits.js'),
    `${'// tampered\n'}${await (await import('node:fs/promises')).readFile(join(tampered, 'dist', 'limits.js'), 'utf8')}`,
  );
  const trustFile = join(dir, 'trust.json');
  await writeFile(trustFile, JSON.stringify(certifier.trust));
  return { dir, good, goodCert, tampered, tamperedCert, uncertified, trustFile };
}

/** Bundled adapters: folder, manifest framework and whether its entry is built. */
export async function bundledAdapters(): Promise<Array<{ name: string; folder: string; framework: string; built: boolean }>> {
  const { readdirSync, readFileSync } = await import('node:fs');
  const out = [];
  for (const name of readdirSync(join(ROOT, 'adapters')).sort()) {
    const folder = join(ROOT, 'adapters', name);
    if (!existsSync(join(folder, 'bsn-plugin.json'))) continue;
    const manifest = JSON.parse(readFileSync(join(folder, 'bsn-plugin.json'), 'utf8')) as { framework: string; entry: string };
    out.push({ name, folder, framework: manifest.framework, built: existsSync(join(folder, manifest.entry)) });
  }
  return out;
}

/**
 * A certified snapshot of any plugin folder (everything but node_modules), the trust file, and
 * the conformance report the certificate names (`report`, as a node's `plugins[].report`);
 * provisionally certified when `kind` is `emulator`.
 */
export async function certifiedCopy(
  folder: string,
  options: { kind?: 'emulator' } = {},
): Promise<{ dir: string; plugin: string; certificate: string; report: string; trustFile: string }> {
  const { readdirSync } = await import('node:fs');
  await mkdir(join(ROOT, '.cache'), { recursive: true });
  const dir = await mkdtemp(join(ROOT, '.cache', 'e2e-plugin-'));
  const plugin = join(dir, 'plugin');
  for (const f of readdirSync(folder)) {
    if (f === 'node_modules' || f.endsWith('.tsbuildinfo')) continue;
    await cp(join(folder, f), join(plugin, f), { recursive: true });
  }
  const certifier = makeCertifier('E2E certifier');
  const manifest = await readManifest(plugin);
  const digest = await computePluginDigest(plugin, manifest.files);
  const certificate = join(dir, 'cert.json');
  // On an emulator target the certificate is provisional.
  const conformance = makeReport(
    { name: manifest.name, version: manifest.version, framework: manifest.framework, digest: digest.digest },
    options.kind ? { kind: options.kind } : {},
  );
  await writeCertificate(certificate, issueCertificate(conformance, certifier.key, { suite: FIXTURE_SUITE }));
  const report = join(dir, 'conformance-report.json');
  await writeFile(report, JSON.stringify(conformance, null, 2));
  const trustFile = join(dir, 'trust.json');
  await writeFile(trustFile, JSON.stringify(certifier.trust));
  return { dir, plugin, certificate, report, trustFile };
}
