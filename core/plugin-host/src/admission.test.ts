/**
 * The host's last two admission checks, attacked: a certificate its certifier revoked, and
 * one the node's transparency log cannot prove it holds.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueCertificate, writeCertificate } from './certificate.js';
import { CERTIFICATE_FILE, CERTIFICATE_LOG_FILE, computePluginDigest } from './digest.js';
import { PluginRefusedError, type RefusalReason } from './errors.js';
import { PluginHost, type PluginHostOptions } from './host.js';
import { evidencePathFor, logTransparency } from './log-evidence.js';
import { addToRevocationList, RevocationWatcher, revokedBy, type RevocationList } from './revocation-list.js';
import { FIXTURE_SUITE, makeCertifier, makePluginFolder, makeReport } from './testing/make-plugin.js';
import { certificateLeafHash } from './transparency/entry.js';
import { TransparencyLog } from './transparency/log.js';
import { revokeCertificate } from './transparency/revocation.js';
import { memorySthStore } from './transparency/sth-store.js';
import { LogVerifier } from './transparency/verifier.js';
import { generatePrivateKey } from '@bsn/contract';

const created: string[] = [];
afterAll(() => Promise.all(created.map((d) => rm(d, { recursive: true, force: true }))));
async function temp(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

const certifier = makeCertifier('Network Certifier');
const other = makeCertifier('Other Certifier');
const ISSUED = new Date('2025-06-02T00:00:00.000Z');
const LATER = () => new Date('2025-06-10T00:00:00.000Z');

async function certifiedPlugin(name: string, key = certifier.key, files?: Record<string, string>) {
  const { folder, manifest } = await makePluginFolder({ name, ...(files && { files }) });
  created.push(folder);
  const digest = await computePluginDigest(folder, manifest['files'] as string[] | undefined);
  const report = makeReport({
    name,
    version: String(manifest['version']),
    framework: String(manifest['framework']),
    digest: digest.digest,
  });
  const certificate = issueCertificate(report, key, { suite: FIXTURE_SUITE, now: ISSUED, validityDays: 30 });
  await writeCertificate(join(folder, CERTIFICATE_FILE), certificate);
  return { folder, certificate };
}

function host(options: Partial<PluginHostOptions> = {}): PluginHost {
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  return new PluginHost({ trustedCertifiers: [certifier.trust, other.trust], now: LATER, logger: silent, ...options });
}

async function refusal(promise: Promise<unknown>): Promise<PluginRefusedError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PluginRefusedError);
  return err as PluginRefusedError;
}

const reasonOf = async (p: Promise<unknown>): Promise<RefusalReason> => (await refusal(p)).reason;

describe('dependencies', () => {
  it('refuses a certified plugin after one file of a dependency it runs is swapped (digest-mismatch)', async () => {
    const plugin = await certifiedPlugin('@acme/with-dep', certifier.key, {
      'package.json': JSON.stringify({
        name: '@acme/with-dep',
        version: '1.0.0',
        type: 'module',
        dependencies: { 'left-pad-ish': '1.0.0' },
      }),
      'index.js': `import { pad } from 'left-pad-ish';
export default { async connect(network) { return { describe: () => ({ framework: network.framework, padded: pad('x') }), close: async () => {} }; } };
`,
      'node_modules/left-pad-ish/package.json': JSON.stringify({
        name: 'left-pad-ish',
        version: '1.0.0',
        type: 'module',
        main: 'index.js',
      }),
      'node_modules/left-pad-ish/index.js': "export const pad = (s) => ' ' + s;\n",
    });
    const loaded = await host().load(plugin.folder);
    expect(loaded.digest.dependencies).toBe(1);
    // After certification, someone swaps the dependency for one that exfiltrates what it is given.
    await writeFile(
      join(plugin.folder, 'node_modules/left-pad-ish/index.js'),
      "export const pad = (s) => { globalThis.stolen = s; return ' ' + s; };\n",
    );
    const refused = await refusal(host().load(plugin.folder));
    expect(refused.reason).toBe('digest-mismatch');
    expect((globalThis as { stolen?: unknown }).stolen).toBeUndefined();
  });
});

describe('dependencies, missing', () => {
  it('refuses a plugin whose dependency is not installed, naming it (it could not run)', async () => {
    // (Refused before its certificate is looked at: without its dependencies it has no digest.)
    const plugin = await makePluginFolder({
      name: '@acme/no-deps',
      files: {
        'package.json': JSON.stringify({ name: '@acme/no-deps', version: '1.0.0', type: 'module', dependencies: { 'not-there': '1.0.0' } }),
      },
    });
    created.push(plugin.folder);
    const refused = await refusal(host().load(plugin.folder));
    expect(refused.reason).toBe('dependency-missing');
    expect(refused.message).toMatch(/@acme\/no-deps depends on not-there, which is not installed/);
  });
});

describe('suite versions', () => {
  it('accepts the current major, a previous suite only until its date (with a warning), and refuses the rest', async () => {
    const plugin = await certifiedPlugin('@acme/suites'); // certified on the fixture suite 0.1.0
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => void warnings.push(m), error() {} };
    expect((await host({ suites: { current: '0.4.2' } }).load(plugin.folder)).verification.certified).toBe(true);

    const outdated = await refusal(host({ suites: { current: '2.0.0' } }).load(plugin.folder));
    expect(outdated.reason).toBe('certificate-outdated');
    expect(outdated.message).toMatch(/from suite 0\.1\.0; this node requires suite 2\.x: re-certify on suite 2\.0\.0/);

    // LATER is 2025-06-10: still inside the grace period, then past it.
    const grace = host({ suites: { current: '2.0.0', previous: { '0.1.0': '2025-07-01T00:00:00Z' } }, logger });
    expect((await grace.load(plugin.folder)).verification.checks.find((c) => c.check === 'certificate-suite')).toMatchObject({ ok: true });
    expect(warnings.join('\n')).toMatch(/certified on suite 0\.1\.0, accepted until 2025-07-01T00:00:00Z: re-certify it on suite 2\.0\.0/);
    const expired = await refusal(
      host({ suites: { current: '2.0.0', previous: { '0.1.0': '2025-06-05T00:00:00Z' } } }).load(plugin.folder),
    );
    expect(expired.message).toMatch(/it accepted 0\.1\.0 until 2025-06-05/);
  });
});

describe('revocation', () => {
  it('refuses a certificate its certifier revoked, and only that one', async () => {
    const revoked = await certifiedPlugin('@acme/revoked');
    const kept = await certifiedPlugin('@acme/kept');
    const dir = await temp('bsn-revocations-');
    const listFile = join(dir, 'revocations.json');
    const list = addToRevocationList(
      undefined,
      revokeCertificate(revoked.certificate, certifier.key, { reason: 'key compromise' }),
      certifier.key,
    );
    await writeFile(listFile, JSON.stringify(list));
    const watcher = new RevocationWatcher([listFile], [certifier.trust, other.trust]);
    expect((await watcher.refresh()).map((r) => r.payload.plugin.name)).toEqual(['@acme/revoked']);

    const refused = await refusal(host({ revocations: watcher }).load(revoked.folder));
    expect(refused.reason).toBe('certificate-revoked');
    expect(refused.message).toMatch(/revoked by Network Certifier at .*: key compromise/);
    const loaded = await host({ revocations: watcher }).load(kept.folder);
    expect(loaded.verification.checks.find((c) => c.check === 'certificate-revoked')).toMatchObject({ ok: true });
  });

  it('honours a revocation only from the certifier that issued the certificate', async () => {
    const plugin = await certifiedPlugin('@acme/target');
    // Another trusted certifier signs a "revocation" of a certificate it did not issue…
    const foreign = revokeCertificate(plugin.certificate, other.key, { reason: 'competitor' });
    const list = addToRevocationList(undefined, foreign, other.key);
    // …the list verifies as the other certifier's, but the certificate is not its to revoke.
    const view = revokedBy(list, [certifier.trust, other.trust]);
    expect(view.revoked.size).toBe(1);
    const dir = await temp('bsn-revocations-');
    await writeFile(join(dir, 'list.json'), JSON.stringify(list));
    const watcher = new RevocationWatcher([join(dir, 'list.json')], [certifier.trust, other.trust]);
    await watcher.refresh();
    const loaded = await host({ revocations: watcher }).load(plugin.folder);
    expect(loaded.verification.certified).toBe(true);
  });

  it('refuses a forged list, a list signed by a stranger, and a revocation spliced into another list', async () => {
    const plugin = await certifiedPlugin('@acme/spliced');
    const stranger = makeCertifier('Stranger');
    const genuine = revokeCertificate(plugin.certificate, certifier.key, { reason: 'r' });
    expect(() => revokedBy(addToRevocationList(undefined, genuine, stranger.key), [certifier.trust])).toThrow(/signature does not hold/);
    const list = addToRevocationList(undefined, genuine, certifier.key);
    const edited = structuredClone(list) as RevocationList;
    edited.payload.sequence = 99;
    expect(() => revokedBy(edited, [certifier.trust])).toThrow(/signature does not hold/);
    // The other certifier's list carrying this certifier's genuine revocation: refused as a whole.
    const spliced = addToRevocationList(undefined, genuine, other.key);
    expect(() => revokedBy(spliced, [certifier.trust, other.trust])).toThrow(/not signed by the list's certifier/);
  });

  it('keeps its last good view when a list turns bad or goes back in sequence', async () => {
    const plugin = await certifiedPlugin('@acme/sticky');
    const dir = await temp('bsn-revocations-');
    const file = join(dir, 'list.json');
    const first = addToRevocationList(undefined, revokeCertificate(plugin.certificate, certifier.key, { reason: 'r' }), certifier.key);
    const problems: string[] = [];
    const watcher = new RevocationWatcher([file], [certifier.trust], (_s, m) => problems.push(m));
    await writeFile(file, JSON.stringify(first));
    await watcher.refresh();
    await writeFile(file, '{ torn');
    expect(await watcher.refresh()).toEqual([]);
    expect(watcher.revoked.size).toBe(1);
    // An attacker replays an older, empty list of sequence 0… there is none signed; replay list 1 after list 2.
    const unrelated = await certifiedPlugin('@acme/unrelated');
    const second = addToRevocationList(first, revokeCertificate(unrelated.certificate, certifier.key, { reason: 'r2' }), certifier.key);
    await writeFile(file, JSON.stringify(second));
    expect(await watcher.refresh()).toHaveLength(1);
    await writeFile(file, JSON.stringify(first));
    await watcher.refresh();
    expect(watcher.revoked.size).toBe(2);
    expect(problems.join('\n')).toMatch(/not valid JSON|Unexpected|JSON/);
    expect(problems.join('\n')).toMatch(/list 1 is older than list 2/);
  });
});

describe('transparency log admission', () => {
  async function loggedSetup() {
    const dir = await temp('bsn-admission-log-');
    const log = await TransparencyLog.create(join(dir, 'log'), {
      name: 'city-log',
      signingKey: { algorithm: 'secp256r1', privateKey: generatePrivateKey('secp256r1') },
      certifiers: [certifier.trust, other.trust],
    });
    const verifier = new LogVerifier({ log: log.publicKey, store: memorySthStore(), consistency: (a, b) => log.consistencyProof(a, b) });
    return { log, verifier };
  }

  it('accepts a certificate with its inclusion evidence beside it, and refuses one with none', async () => {
    const { log, verifier } = await loggedSetup();
    const logged = await certifiedPlugin('@acme/logged');
    const evidence = await log.append(logged.certificate);
    await writeFile(join(logged.folder, CERTIFICATE_LOG_FILE), JSON.stringify(evidence));
    expect(evidencePathFor(join(logged.folder, CERTIFICATE_FILE))).toBe(join(logged.folder, CERTIFICATE_LOG_FILE));
    const loaded = await host({ transparency: logTransparency(verifier) }).load(logged.folder);
    expect(loaded.verification.checks.at(-2)).toMatchObject({ check: 'certificate-logged', ok: true });

    // Certified by a trusted certifier, valid in every other way — but never logged.
    const unlogged = await certifiedPlugin('@acme/unlogged');
    const refused = await refusal(host({ transparency: logTransparency(verifier) }).load(unlogged.folder));
    expect(refused.reason).toBe('certificate-unlogged');
    expect(refused.message).toMatch(/log-missing/);
  });

  it("refuses another certificate's evidence, a tampered proof, and a head the log never signed", async () => {
    const { log, verifier } = await loggedSetup();
    const a = await certifiedPlugin('@acme/a');
    const b = await certifiedPlugin('@acme/b');
    const evidenceA = await log.append(a.certificate);
    await log.append((await certifiedPlugin('@acme/c')).certificate);
    // b borrows a's evidence
    await writeFile(join(b.folder, CERTIFICATE_LOG_FILE), JSON.stringify(evidenceA));
    expect(await reasonOf(host({ transparency: logTransparency(verifier) }).load(b.folder))).toBe('certificate-unlogged');
    // a's evidence with a proof hash flipped
    const tampered = structuredClone(evidenceA);
    tampered.proof = [...tampered.proof, 'ab'.repeat(32)];
    await writeFile(join(a.folder, CERTIFICATE_LOG_FILE), JSON.stringify(tampered));
    const r1 = await refusal(host({ transparency: logTransparency(verifier) }).load(a.folder));
    expect(r1.message).toMatch(/log-inclusion-invalid/);
    // a head whose size was edited
    const forgedHead = structuredClone(evidenceA);
    forgedHead.sth.payload.size += 1;
    await writeFile(join(a.folder, CERTIFICATE_LOG_FILE), JSON.stringify(forgedHead));
    const r2 = await refusal(host({ transparency: logTransparency(verifier) }).load(a.folder));
    expect(r2.message).toMatch(/log-sth-invalid/);
    // unparseable evidence
    await writeFile(join(a.folder, CERTIFICATE_LOG_FILE), '{');
    expect(await reasonOf(host({ transparency: logTransparency(verifier) }).load(a.folder))).toBe('certificate-unlogged');
  });

  it('refuses when the evidence cannot be had from the log, naming it', async () => {
    const { verifier } = await loggedSetup();
    const plugin = await certifiedPlugin('@acme/remote');
    const down = {
      evidence: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:9')),
    } as unknown as import('./transparency/client.js').LogClient;
    const refused = await refusal(host({ transparency: logTransparency(verifier, down) }).load(plugin.folder));
    expect(refused.reason).toBe('certificate-unlogged');
    expect(refused.message).toMatch(/log-unavailable.*ECONNREFUSED/);
  });

  it('the evidence file is not part of the plugin digest', async () => {
    const plugin = await certifiedPlugin('@acme/digest');
    const before = await computePluginDigest(plugin.folder);
    await writeFile(join(plugin.folder, CERTIFICATE_LOG_FILE), JSON.stringify({ any: 'thing' }));
    expect(await computePluginDigest(plugin.folder)).toEqual(before);
    expect(certificateLeafHash(JSON.parse(await readFile(join(plugin.folder, CERTIFICATE_FILE), 'utf8')))).toMatch(/^[0-9a-f]{64}$/);
  });
});
