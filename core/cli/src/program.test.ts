import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CERTIFICATE_FILE, computePluginDigest, issueCertificate, writeCertificate } from '@bsn/plugin-host';
import { FIXTURE_SUITE, makeCertifier, makePluginFolder, makeReport } from '@bsn/plugin-host/testing';
import type { CliIo } from './io.js';
import { runCli } from './program.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let work: string;
const PASS = 'certifier passphrase';

async function bsn(args: string[], options: { env?: Record<string, string>; tty?: boolean; answers?: string[] } = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const answers = [...(options.answers ?? [])];
  const io: CliIo = {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: options.env ?? {},
    cwd: work,
    stdinIsTTY: options.tty ?? false,
    promptSecret: async () => answers.shift() ?? '',
  };
  const code = await runCli(args, io);
  return { code, stdout, stderr };
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bsn-cli-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/**
 * Certifies a plugin folder directly with a fresh certifier (what `bsn certify` does is
 * tested end to end with the real suite in e2e/src/conformance/certify-cli.test.ts); returns
 * the certifier's trust file.
 */
async function certifyDirectly(folder: string, name: string, options: { kind?: 'emulator' } = {}): Promise<string> {
  const manifest = JSON.parse(await readFile(join(folder, 'bsn-plugin.json'), 'utf8'));
  const digest = await computePluginDigest(folder);
  const certifier = makeCertifier(name);
  const report = makeReport(
    { name: manifest.name, version: manifest.version, framework: manifest.framework, digest: digest.digest },
    options,
  );
  await writeCertificate(
    join(folder, CERTIFICATE_FILE),
    issueCertificate(report, certifier.key, { suite: FIXTURE_SUITE, validityDays: 10 }),
  );
  const pub = join(work, `${name}.pub.json`);
  await writeFile(pub, JSON.stringify(certifier.trust));
  return pub;
}

describe('bsn CLI (in-process)', () => {
  it('documents commands and exit codes in the top-level help', async () => {
    const r = await bsn(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: bsn/);
    for (const command of ['plugin', 'certifier', 'certify', 'identity', 'node']) expect(r.stdout).toContain(command);
    expect(r.stdout).toContain('Exit codes:');
    expect(r.stdout).toMatch(/3 {2}refused \/ verification failed/);
    const sub = await bsn(['plugin', 'verify', '--help']);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain('--allow-provisional');
  });

  it('exits 2 on usage errors', async () => {
    expect((await bsn(['frobnicate'])).code).toBe(2);
    const unknownOption = await bsn(['plugin', 'inspect', '.', '--bogus']);
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toContain("unknown option '--bogus'");
    expect((await bsn(['plugin', 'inspect'])).code).toBe(2);
    expect((await bsn(['plugin'])).code).toBe(2);
    expect((await bsn([])).code).toBe(2);
    const days = await bsn(['certify', 'r.json', '--key', 'k.json', '--out', 'c.json', '--validity-days', 'soon']);
    expect(days.code).toBe(2);
    expect(days.stderr).toContain('must be a whole number of days');
    const nowhere = await bsn(['certify', 'r.json', '--key', 'k.json']);
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toContain('say where the certificate goes');
  });

  it('never prompts without a terminal: no passphrase is a usage error', async () => {
    const r = await bsn(['certifier', 'new', '--out', join(work, 'nopass.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('set BSN_PASSPHRASE or pass --passphrase-file');
    expect(existsSync(join(work, 'nopass.json'))).toBe(false);
  });

  it('prompts twice on a terminal and refuses a mismatch', async () => {
    const mismatch = await bsn(['certifier', 'new', '--out', join(work, 'tty.json'), '--scrypt-n', '1024'], {
      tty: true,
      answers: ['one', 'two'],
    });
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toContain('the passphrases do not match');
    const ok = await bsn(['certifier', 'new', '--out', join(work, 'tty.json'), '--scrypt-n', '1024'], {
      tty: true,
      answers: ['same', 'same'],
    });
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('certifier new writes a 0600 keystore and a trust entry, and will not overwrite them', async () => {
    const passFile = join(work, 'pass.txt');
    await writeFile(passFile, 'from a file\n');
    const out = join(work, 'acme.json');
    const r = await bsn([
      'certifier',
      'new',
      '--out',
      'acme.json',
      '--name',
      'Acme Labs',
      '--algorithm',
      'sm2',
      '--passphrase-file',
      passFile,
      '--scrypt-n',
      '1024',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const printed = JSON.parse(r.stdout);
    expect(printed).toMatchObject({ name: 'Acme Labs', algorithm: 'sm2' });
    expect(JSON.parse(await readFile(join(work, 'acme.pub.json'), 'utf8'))).toEqual(printed);
    const keystore = JSON.parse(await readFile(out, 'utf8'));
    expect(keystore).toMatchObject({ format: 'bsn-keystore', label: 'Acme Labs', algorithm: 'sm2', publicKey: printed.publicKey });
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    const again = await bsn(['certifier', 'new', '--out', 'acme.json', '--passphrase-file', passFile, '--scrypt-n', '1024']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('use --force to overwrite');
    const bad = await bsn(['certifier', 'new', '--out', 'x.json', '--algorithm', 'rsa'], { env: { BSN_PASSPHRASE: PASS } });
    expect(bad.code).toBe(2);
  });

  it('inspects and verifies a certified plugin, and refuses it after one byte changes', async () => {
    const { folder } = await makePluginFolder({ parent: work });
    const pub = await certifyDirectly(folder, 'network');
    const certificate = JSON.parse(await readFile(join(folder, CERTIFICATE_FILE), 'utf8'));
    expect(certificate.payload.certifier.name).toBe('network');

    const inspect = await bsn(['plugin', 'inspect', folder]);
    expect(inspect.code, inspect.stderr).toBe(0);
    const digest = await computePluginDigest(folder);
    expect(inspect.stdout).toContain(digest.digest);
    expect(inspect.stdout).toMatch(/files\s+5\n/);
    expect(inspect.stdout).toMatch(/certifier\s+network \(key secp256r1:[0-9a-f]{32}\), signature valid/);
    expect(inspect.stdout).toMatch(/digest\s+matches the content/);
    const inspectJson = JSON.parse((await bsn(['plugin', 'inspect', folder, '--json'])).stdout);
    expect(inspectJson).toMatchObject({
      digest: digest.digest,
      files: 5,
      certificate: { present: true, signatureValid: true, digestMatches: true },
    });

    const verify = await bsn(['plugin', 'verify', folder, '--trust', pub]);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toContain('accepted: @bsn/adapter-fixture@1.0.0');
    expect(verify.stdout).toContain('certified by network (full)');

    await writeFile(join(folder, 'README.md'), '# changed\n');
    const refused = await bsn(['plugin', 'verify', folder, '--trust', pub]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(
      /^refused \(digest-mismatch\): plugin @bsn\/adapter-fixture@1\.0\.0 refused: content digest sha256:[0-9a-f]{64} does not match the certified/,
    );
    expect(refused.stdout).toMatch(/FAIL {2}certificate-subject/);
    const inspectChanged = await bsn(['plugin', 'inspect', folder]);
    expect(inspectChanged.stdout).toMatch(/digest\s+DOES NOT MATCH/);
  });

  it('verify: untrusted without --trust, provisional only with --allow-provisional, uncertified only with --dev', async () => {
    const { folder } = await makePluginFolder({ parent: work });
    const pub = await certifyDirectly(folder, 'emu', { kind: 'emulator' });

    const untrusted = await bsn(['plugin', 'verify', folder]);
    expect(untrusted.code).toBe(3);
    expect(untrusted.stderr).toContain('refused (certificate-untrusted)');
    const provisional = await bsn(['plugin', 'verify', folder, '--trust', pub]);
    expect(provisional.code).toBe(3);
    expect(provisional.stderr).toContain('refused (certificate-provisional)');
    const allowed = await bsn(['plugin', 'verify', folder, '--trust', pub, '--allow-provisional', '--json']);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(JSON.parse(allowed.stdout)).toMatchObject({
      accepted: true,
      certified: true,
      certificate: { payload: { level: 'provisional' } },
    });

    const { folder: bare } = await makePluginFolder({ parent: work });
    expect((await bsn(['plugin', 'verify', bare, '--trust', pub])).code).toBe(3);
    const dev = await bsn(['plugin', 'verify', bare, '--dev']);
    expect(dev.code, dev.stderr).toBe(0);
    expect(dev.stderr).toContain('warning: DEVELOPMENT MODE: loading uncertified plugin @bsn/adapter-fixture@1.0.0');
    expect(dev.stdout).toContain('UNCERTIFIED (development mode)');
  });

  it('verify exits 3 naming the manifest field, and 1 for a missing plugin', async () => {
    const { folder } = await makePluginFolder({ parent: work, manifest: { adapterApi: 1 } });
    const r = await bsn(['plugin', 'verify', folder, '--dev']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('manifest /adapterApi: must be string (got number)');
    const missing = await bsn(['plugin', 'verify', join(work, 'nowhere')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no plugin folder at');
  });

  it('node start refuses a missing or invalid config, naming the file or field', async () => {
    const missing = await bsn(['node', 'start', '--config', 'absent.yaml']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot read the node config');
    await writeFile(join(work, 'bad-node.yaml'), 'listen:\n  restPort: eighty\n');
    const bad = await bsn(['node', 'start', '--config', 'bad-node.yaml']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('node config /listen/restPort: must be integer');
  });

  it('node sign prints curl headers signed by the user key file', async () => {
    const keyFile = join(work, 'user-key.json');
    await writeFile(keyFile, JSON.stringify({ user: 'demo', algorithm: 'secp256r1', privateKey: '11'.repeat(32) }));
    const r = await bsn(['node', 'sign', 'PUT', '/v1/apps/a1/kv/k', '--data', 'v', '--key', keyFile]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^-H x-bsn-user:demo -H x-bsn-app:a1 -H x-bsn-timestamp:\d+ -H x-bsn-nonce:\S+ -H x-bsn-signature:[0-9a-f]{128}\n$/,
    );
  });
});

describe('bsn executable', () => {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
  const bin = join(root, 'core/cli/bin/bsn.js');
  const built = existsSync(join(root, 'core/cli/dist/main.js'));
  if (!built) console.log('skipping the spawned bsn --help test: core/cli/dist is not built (run npm run build)');
  it.skipIf(!built)('runs through the committed bin that npm links as `bsn` (bin/bsn.js --help)', () => {
    const r = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Exit codes:');
  });
});
