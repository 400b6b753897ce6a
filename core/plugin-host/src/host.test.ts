import { afterAll, describe, expect, it } from 'vitest';
import 'reflect-metadata';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '@bsn/contract';
import { ADAPTER_API_VERSION, isBsnError } from '@bsn/contract';
import { issueCertificate, writeCertificate, type PluginCertificate } from './certificate.js';
import { CERTIFICATE_FILE, computePluginDigest } from './digest.js';
import { PluginRefusedError, type RefusalReason } from './errors.js';
import { PluginHost, type PluginHostOptions } from './host.js';
import { makeCertifier, makePluginFolder, FIXTURE_SUITE, makeReport, type FixtureOptions } from './testing/make-plugin.js';
import type { TargetKind } from './report.js';

const created: string[] = [];
afterAll(async () => {
  await Promise.all(created.map((d) => rm(d, { recursive: true, force: true })));
});

const certifier = makeCertifier('Network Certifier');
const stranger = makeCertifier('Someone Else');
const ISSUED = new Date('2025-06-02T00:00:00.000Z');
const LATER = () => new Date('2025-06-10T00:00:00.000Z');

async function certifiedPlugin(options: FixtureOptions & { kind?: TargetKind; key?: typeof certifier.key } = {}) {
  const { folder, manifest } = await makePluginFolder(options);
  created.push(folder);
  const digest = await computePluginDigest(folder, manifest['files'] as string[] | undefined);
  const report = makeReport(
    {
      name: String(manifest['name']),
      version: String(manifest['version']),
      framework: String(manifest['framework']),
      digest: digest.digest,
    },
    options.kind ? { kind: options.kind } : {},
  );
  const certificate = issueCertificate(report, options.key ?? certifier.key, { suite: FIXTURE_SUITE, now: ISSUED, validityDays: 30 });
  await writeCertificate(join(folder, CERTIFICATE_FILE), certificate);
  return { folder, manifest, digest, certificate };
}

function host(options: Partial<PluginHostOptions> = {}, logger?: Logger): PluginHost {
  return new PluginHost({ trustedCertifiers: [certifier.trust], now: LATER, logger: logger ?? silent(), ...options });
}

function silent(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { debug() {}, info() {}, warn: (m) => warnings.push(m), error() {}, warnings };
}

async function refusedWith(promise: Promise<unknown>, reason: RefusalReason): Promise<PluginRefusedError> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(PluginRefusedError);
  const refusal = caught as PluginRefusedError;
  expect(refusal.reason, refusal.message).toBe(reason);
  expect(isBsnError(refusal)).toBe(true);
  return refusal;
}

describe('PluginHost', () => {
  it('loads a certified plugin', async () => {
    const { folder, manifest, digest, certificate } = await certifiedPlugin();
    const loaded = await host().load(folder);
    expect(loaded.manifest).toEqual(manifest);
    expect(loaded.digest).toEqual(digest);
    expect(loaded.certificate).toEqual(certificate);
    expect(loaded.verification.certified).toBe(true);
    expect(loaded.verification.certifier?.name).toBe('Network Certifier');
    expect(loaded.verification.checks.map((c) => [c.check, c.ok])).toEqual([
      ['manifest', true],
      ['adapter-api', true],
      ['dependencies', true],
      ['certificate-present', true],
      ['certificate-valid', true],
      ['certificate-trusted', true],
      ['certificate-period', true],
      ['certificate-subject', true],
      ['certificate-level', true],
      ['entry', true],
    ]);
    const adapter = await loaded.factory.connect({ framework: 'ethereum', name: 'dev' }, { logger: silent(), dataDir: folder });
    expect((adapter.describe() as unknown as { greeting: string }).greeting).toBe('hello from @bsn/adapter-fixture');
  });

  it("checks a network config against the plugin's configSchema before connect, naming the field", async () => {
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      required: ['framework', 'name', 'rpcUrl'],
      properties: { framework: { const: 'ethereum' }, name: { type: 'string' }, rpcUrl: { type: 'string', pattern: '^https?://' } },
    };
    const connected: unknown[] = [];
    const entrySource = `export default { async connect(network) { globalThis.__bsnConnected.push(network); return { describe: () => ({}), close: async () => {} }; } };\n`;
    (globalThis as { __bsnConnected?: unknown[] }).__bsnConnected = connected;
    const { folder } = await certifiedPlugin({
      entrySource,
      manifest: { configSchema: 'net.schema.json' },
      files: { 'net.schema.json': JSON.stringify(schema) },
    });
    const loaded = await host().load(folder);
    const context = { logger: silent(), dataDir: folder };
    const refused = await loaded.factory.connect({ framework: 'ethereum', name: 'dev', rpcUrl: 'ws://x' }, context).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isBsnError(refused, 'INVALID_INPUT')).toBe(true);
    expect((refused as { field?: string }).field).toBe('/rpcUrl');
    expect((refused as Error).message).toContain("@bsn/adapter-fixture's configSchema");
    const missing = await loaded.factory.connect({ framework: 'ethereum', name: 'dev' }, context).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((missing as Error).message).toContain('rpcUrl');
    expect(connected).toEqual([]);
    await loaded.factory.connect({ framework: 'ethereum', name: 'dev', rpcUrl: 'http://127.0.0.1:8545' }, context);
    expect(connected).toHaveLength(1);
  });

  it('refuses to load a plugin whose configSchema is missing or not a JSON Schema (entry-invalid)', async () => {
    const missing = await certifiedPlugin({ manifest: { configSchema: 'absent.schema.json' } });
    await refusedWith(host().load(missing.folder), 'entry-invalid');
    const broken = await certifiedPlugin({
      manifest: { configSchema: 'bad.schema.json' },
      files: { 'bad.schema.json': JSON.stringify({ type: 'no-such-type' }) },
    });
    const refusal = await refusedWith(host().load(broken.folder), 'entry-invalid');
    expect(refusal.why).toContain('is not a usable JSON Schema');
  });

  it('refuses a plugin changed by one byte after certification (digest-mismatch)', async () => {
    const { folder, digest } = await certifiedPlugin();
    const util = join(folder, 'lib/util.js');
    const original = await readFile(util);
    const changed = Buffer.from(original);
    changed[changed.length - 3] = changed[changed.length - 3]! ^ 0x01;
    await writeFile(util, changed);
    const refusal = await refusedWith(host().load(folder), 'digest-mismatch');
    const now = await computePluginDigest(folder);
    expect(refusal.message).toBe(
      `plugin @bsn/adapter-fixture@1.0.0 refused: content digest ${now.digest} does not match the certified ${digest.digest} — a file changed after certification`,
    );
    expect(refusal.code).toBe('UNAUTHORIZED');
    // …and putting the byte back restores it.
    await writeFile(util, original);
    await expect(host().verify(folder)).resolves.toMatchObject({ accepted: true });
  });

  it('refuses a certificate signed by an untrusted key', async () => {
    const { folder, certificate } = await certifiedPlugin({ key: stranger.key });
    const refusal = await refusedWith(host().load(folder), 'certificate-untrusted');
    expect(refusal.message).toContain(`signed by key ${certificate.signature.keyId}`);
    expect(refusal.message).toContain('"Someone Else"');
    expect(refusal.message).toContain("not among this node's 1 trusted certifier(s)");
    // the same plugin is accepted by a node that trusts that certifier
    await expect(host({ trustedCertifiers: [certifier.trust, stranger.trust] }).verify(folder)).resolves.toMatchObject({ accepted: true });
  });

  it('refuses an expired certificate and one not yet valid', async () => {
    const { folder } = await certifiedPlugin();
    const expired = await refusedWith(host({ now: () => new Date('2025-07-02T00:00:00.000Z') }).load(folder), 'certificate-expired');
    expect(expired.message).toContain('its certificate expired at 2025-07-02T00:00:00.000Z');
    const early = await refusedWith(host({ now: () => new Date('2025-06-01T23:59:59.000Z') }).load(folder), 'certificate-expired');
    expect(early.message).toContain('not valid before 2025-06-02T00:00:00.000Z');
  });

  it('refuses a plugin without a certificate', async () => {
    const { folder } = await makePluginFolder();
    created.push(folder);
    const refusal = await refusedWith(host().load(folder), 'certificate-missing');
    expect(refusal.message).toContain(`no ${CERTIFICATE_FILE} in`);
  });

  it('refuses a certificate whose signature does not match its payload', async () => {
    const { folder, certificate } = await certifiedPlugin();
    const forged: PluginCertificate = { ...certificate, payload: { ...certificate.payload, expiresAt: '2035-01-01T00:00:00.000Z' } };
    await writeCertificate(join(folder, CERTIFICATE_FILE), forged);
    const refusal = await refusedWith(host().load(folder), 'certificate-invalid');
    expect(refusal.message).toMatch(/signature is invalid: the signature by .* does not match this payload/);
  });

  it('refuses a malformed certificate, naming the field', async () => {
    const { folder, certificate } = await certifiedPlugin();
    await writeFile(join(folder, CERTIFICATE_FILE), JSON.stringify({ ...certificate, payload: { ...certificate.payload, level: 3 } }));
    const refusal = await refusedWith(host().load(folder), 'certificate-invalid');
    expect(refusal.message).toContain('certificate /payload/level: must be one of "full", "provisional" (got 3)');
  });

  it('refuses a certificate issued for another version of the plugin', async () => {
    const { folder } = await certifiedPlugin();
    const manifestPath = join(folder, 'bsn-plugin.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    await writeFile(manifestPath, JSON.stringify({ ...manifest, version: '1.0.1' }));
    const refusal = await refusedWith(host().load(folder), 'certificate-invalid');
    expect(refusal.message).toBe(
      'plugin @bsn/adapter-fixture@1.0.1 refused: its certificate is for @bsn/adapter-fixture@1.0.0 (ethereum), not @bsn/adapter-fixture@1.0.1 (ethereum)',
    );
  });

  it('refuses a manifest with a wrong type, naming the field', async () => {
    const { folder } = await certifiedPlugin({ manifest: { adapterApi: 1 } });
    const refusal = await refusedWith(host().load(folder), 'manifest-invalid');
    expect(refusal.message).toContain('manifest /adapterApi: must be string (got number)');
    expect(refusal.field).toBe('/adapterApi');
    expect(refusal.code).toBe('INVALID_INPUT');
  });

  it('refuses an incompatible adapterApi range', async () => {
    const { folder } = await certifiedPlugin({ manifest: { adapterApi: '^2.0.0' } });
    const refusal = await refusedWith(host().load(folder), 'api-incompatible');
    expect(refusal.message).toBe(
      `plugin @bsn/adapter-fixture@1.0.0 refused: it implements adapter API ^2.0.0, which does not include this host's adapter API ${ADAPTER_API_VERSION}`,
    );
  });

  it('refuses a provisional certificate unless full certification is not required', async () => {
    const { folder } = await certifiedPlugin({ kind: 'emulator' });
    const refusal = await refusedWith(host().load(folder), 'certificate-provisional');
    expect(refusal.message).toContain('its certificate is provisional (earned on emulator target evm-emulator');
    const logger = silent();
    const loaded = await host({ requireFull: false }, logger).load(folder);
    expect(loaded.certificate?.payload.level).toBe('provisional');
    // Loaded, but never silently: the operator is told the certificate was earned on an emulator.
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toMatch(
      /^PROVISIONAL certificate: @bsn\/adapter-fixture@1\.0\.0 was certified on emulator target evm-emulator/,
    );
    expect((await host({ requireFull: false }).verify(folder)).warnings).toEqual([logger.warnings[0]]);
    // A full certificate loads without that warning.
    const full = await certifiedPlugin();
    const quiet = silent();
    await host({ requireFull: false }, quiet).load(full.folder);
    expect(quiet.warnings).toEqual([]);
  });

  it('refuses an entry that does not export a factory', async () => {
    const { folder } = await certifiedPlugin({ entrySource: 'export default { name: "not a factory" };\nexport const other = 1;\n' });
    const refusal = await refusedWith(host().load(folder), 'entry-invalid');
    expect(refusal.message).toContain('does not export an AdapterFactory as default');
    expect(refusal.message).toContain('its default export is an object with name');
    // verify without importing does not notice: it runs no plugin code
    await expect(host().verify(folder)).resolves.toMatchObject({ accepted: true });
  });

  it('accepts a named createAdapterFactory function', async () => {
    const { folder } = await certifiedPlugin({
      entrySource: 'export function createAdapterFactory() { return { connect: async () => ({}) }; }\n',
    });
    const loaded = await host().load(folder);
    expect(typeof loaded.factory.connect).toBe('function');
  });

  it('refuses an entry that cannot be imported or is missing', async () => {
    const broken = await certifiedPlugin({ entrySource: 'export default {{{' });
    expect((await refusedWith(host().load(broken.folder), 'entry-invalid')).message).toContain('cannot import entry index.js');
    const missing = await certifiedPlugin({ manifest: { entry: 'dist/index.js' } });
    expect((await refusedWith(host().load(missing.folder), 'entry-invalid')).message).toContain('entry dist/index.js does not exist');
  });

  it('refuses an entry not covered by the digest', async () => {
    const { folder } = await certifiedPlugin({ manifest: { files: ['lib'] } });
    const refusal = await refusedWith(host().load(folder), 'entry-invalid');
    expect(refusal.message).toContain('entry index.js is not covered by the content digest');
  });

  it('loads an uncertified plugin in development mode, loudly', async () => {
    const { folder } = await makePluginFolder();
    created.push(folder);
    const logger = silent();
    const loaded = await host({ dev: true }, logger).load(folder);
    expect(loaded.certificate).toBeUndefined();
    expect(loaded.verification.certified).toBe(false);
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toMatch(
      /^DEVELOPMENT MODE: loading uncertified plugin @bsn\/adapter-fixture@1\.0\.0 from .* certificate-missing/,
    );
    expect(loaded.verification.checks.find((c) => c.check === 'certificate-present')).toMatchObject({ ok: false, downgraded: true });
  });

  it('still refuses manifest, API and entry failures in development mode', async () => {
    const bad = await makePluginFolder({ manifest: { adapterApi: 7 } });
    const old = await makePluginFolder({ manifest: { adapterApi: '0.x' } });
    const noFactory = await makePluginFolder({ entrySource: 'export const x = 1;\n' });
    created.push(bad.folder, old.folder, noFactory.folder);
    await refusedWith(host({ dev: true }).load(bad.folder), 'manifest-invalid');
    await refusedWith(host({ dev: true }).load(old.folder), 'api-incompatible');
    await refusedWith(host({ dev: true }).load(noFactory.folder), 'entry-invalid');
  });

  it('reports checks in order and stops at the first failure', async () => {
    const { folder } = await certifiedPlugin({ key: stranger.key });
    const result = await host().verify(folder);
    expect(result.accepted).toBe(false);
    expect(result.refusal?.reason).toBe('certificate-untrusted');
    expect(result.checks.map((c) => `${c.check}:${c.ok}`)).toEqual([
      'manifest:true',
      'adapter-api:true',
      'dependencies:true',
      'certificate-present:true',
      'certificate-valid:true',
      'certificate-trusted:false',
    ]);
  });

  it('resolves an installed npm package by name, and a missing one clearly', async () => {
    const project = await mkdtemp(join(tmpdir(), 'bsn-project-'));
    created.push(project);
    const { folder } = await certifiedPlugin({ name: '@vendor/adapter-x' });
    await mkdir(join(project, 'node_modules', '@vendor'), { recursive: true });
    await symlink(folder, join(project, 'node_modules', '@vendor', 'adapter-x'), 'dir');
    const result = await host({ cwd: project }).verify('@vendor/adapter-x');
    expect(result.source).toMatchObject({ kind: 'package', folder });
    expect(result.accepted).toBe(true);
    await expect(host({ cwd: project }).verify('@vendor/not-installed')).rejects.toThrow(
      /plugin package @vendor\/not-installed is not installed/,
    );
    await expect(host().verify(join(project, 'nope'))).rejects.toThrow(/no plugin folder at/);
  });
});
