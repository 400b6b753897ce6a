/**
 * A vendor who wants a certificate without passing, as the `bsn` command meets them: a partial
 * run, an unsigned or untrusted report, a failing report edited to pass. Each is refused with
 * exit 3 and the reason; the certifier's own one-step run (`certify --adapter --target`) certifies.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnvilDevnet } from '@bsn/adapter-ethereum/devnets';
import { repoRoot } from '@bsn/devnets';
import { generatePrivateKey } from '@bsn/contract';
import { ALL_CASES, SUITE_VERSION } from '@bsn/conformance';
import {
  LogVerifier,
  TransparencyLog,
  memorySthStore,
  startLogServer,
  summarizeCases,
  type ConformanceReport,
  type InclusionEvidence,
  type PluginCertificate,
  type TrustedCertifier,
} from '@bsn/plugin-host';
import { FAULTS, writeFaultyEthereumPlugin } from './ethereum-variants.js';

const root = repoRoot();
const bsn = join(root, 'core', 'cli', 'dist', 'main.js');
const adapterDir = join(root, 'adapters', 'ethereum');
const env = { BSN_PASSPHRASE: 'certify cli passphrase' };
const skip = !existsSync(bsn)
  ? 'the build is missing (npm test builds first)'
  : await new AnvilDevnet().available().then((a) => (a.ok ? undefined : a.reason));
if (skip) console.warn(`skipping the certify CLI test: ${skip}`);

function run(args: string[]) {
  return spawnSync(process.execPath, [bsn, ...args], { encoding: 'utf8', timeout: 300_000, env: { ...process.env, ...env } });
}

/** For runs that need this process's event loop (an in-process log server) while they work. */
function runAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bsn, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe.skipIf(skip)('bsn certify decides', () => {
  const work = mkdtempSync(join(tmpdir(), 'bsn-certify-cli-'));
  const key = join(work, 'certifier.json');
  const runner = join(work, 'runner.json');
  const stranger = join(work, 'stranger.json');
  const report = (dir: string) => join(dir, 'conformance-report.json');
  const certify = (reportFile: string, ...extra: string[]) =>
    run(['certify', reportFile, '--key', key, '--out', join(work, 'cert.json'), '--trust-runner', join(work, 'runner.pub.json'), ...extra]);

  it('prepares a certifier and two runner keys', () => {
    for (const [file, name] of [
      [key, 'certifier'],
      [runner, 'lab runner'],
      [stranger, 'stranger'],
    ] as const) {
      const r = run(['certifier', 'new', '--out', file, '--name', name, '--scrypt-n', '1024']);
      expect(r.status, r.stderr).toBe(0);
    }
  });

  it('a run with --only, though it passes and is signed, is refused with exit 3 naming the missing cases', () => {
    const out = join(work, 'only');
    const r = run([
      'conformance',
      'run',
      '--adapter',
      adapterDir,
      '--target',
      'anvil',
      '--out',
      out,
      '--only',
      'DSC-001',
      '--runner-key',
      runner,
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('a partial run (--only) is for its author: it cannot be certified');
    const refused = certify(report(out));
    expect(refused.status).toBe(3);
    expect(refused.stderr).toMatch(
      new RegExp(
        `not certified: only a complete run certifies: the run was partial \\(--only\\); \\d+ case\\(s\\) of suite ${SUITE_VERSION.replaceAll('.', '\\.')} are missing: DSC-002, DSC-003, KEY-001`,
      ),
    );
    expect(existsSync(join(work, 'cert.json'))).toBe(false);
  });

  it('a failing report is refused; edited to pass, its signature no longer holds', () => {
    // A fault that fails fast: a dropped event would make the event cases wait out their timeouts (98 s against 40 s).
    const faulty = writeFaultyEthereumPlugin('swallow-revert', adapterDir, mkdtempSync(join(tmpdir(), 'bsn-fault-swallow-revert-')));
    const out = join(work, 'failing');
    const r = run(['conformance', 'run', '--adapter', faulty, '--target', 'anvil', '--out', out, '--runner-key', runner]);
    expect(r.status, 'verdict fail').toBe(3);
    const failing = certify(report(out));
    expect(failing.status).toBe(3);
    expect(failing.stderr).toMatch(/not certified: every MUST case of a claimed capability must pass: .*GW-005 failed/);

    const edited = JSON.parse(readFileSync(report(out), 'utf8')) as ConformanceReport;
    expect(edited.cases.filter((c) => c.outcome === 'failed').map((c) => c.id)).toEqual(
      expect.arrayContaining([...FAULTS['swallow-revert'].catches]),
    );
    for (const c of edited.cases.filter((x) => x.outcome === 'failed')) {
      c.outcome = 'passed';
      delete c.failure;
    }
    Object.assign(edited, summarizeCases(edited.cases));
    expect(edited.verdict).toBe('pass');
    writeFileSync(join(out, 'edited.json'), JSON.stringify(edited));
    const forged = certify(join(out, 'edited.json'));
    expect(forged.status).toBe(3);
    expect(forged.stderr).toContain("not certified: the report's runner signature does not hold");
  }, 300_000);

  it('a passing report signed by a runner the certifier does not trust, or unsigned, is refused', () => {
    const elsewhere = join(work, 'stranger-run');
    expect(
      run(['conformance', 'run', '--adapter', adapterDir, '--target', 'anvil', '--out', elsewhere, '--runner-key', stranger]).status,
    ).toBe(0);
    const untrusted = certify(report(elsewhere));
    expect(untrusted.status).toBe(3);
    expect(untrusted.stderr).toMatch(/not certified: the report's runner signature does not hold: signed by an untrusted key/);
    // The same passing run without its signature (a whole suite run saved: ~50 s of CI).
    const { attestation, ...unsignedReport } = JSON.parse(readFileSync(report(elsewhere), 'utf8')) as ConformanceReport;
    expect(attestation?.runner).toBe('stranger');
    writeFileSync(join(work, 'unsigned.json'), JSON.stringify(unsignedReport));
    const unsigned = certify(join(work, 'unsigned.json'));
    expect(unsigned.status).toBe(3);
    expect(unsigned.stderr).toContain('not certified: the report carries no runner signature');
    expect(existsSync(join(work, 'cert.json'))).toBe(false);
  }, 300_000);

  it("the certifier's own run certifies in one step: bsn certify --adapter --target, logged with --log", async () => {
    // A transparency log serving this certifier, and one that does not.
    const trusting = await TransparencyLog.create(join(work, 'log'), {
      name: 'city-log',
      signingKey: { algorithm: 'secp256r1', privateKey: generatePrivateKey('secp256r1') },
      certifiers: [JSON.parse(readFileSync(join(work, 'certifier.pub.json'), 'utf8')) as TrustedCertifier],
    });
    const server = await startLogServer(trusting, { port: 0 });
    const strangers = await TransparencyLog.create(join(work, 'other-log'), {
      name: 'other-log',
      signingKey: { algorithm: 'secp256r1', privateKey: generatePrivateKey('secp256r1') },
      certifiers: [JSON.parse(readFileSync(join(work, 'stranger.pub.json'), 'utf8')) as TrustedCertifier],
    });
    const otherServer = await startLogServer(strangers, { port: 0 });
    try {
      // (The stranger-signed passing report of the test above, its runner trusted this once: no second suite run.)
      const refused = await runAsync([
        'certify',
        report(join(work, 'stranger-run')),
        '--key',
        key,
        '--out',
        join(work, 'cert.json'),
        '--trust-runner',
        join(work, 'stranger.pub.json'),
        '--log',
        otherServer.url,
      ]);
      expect(refused.status, refused.stderr).toBe(1);
      expect(refused.stderr).toMatch(/the log http:\/\/\S+ did not take the certificate; nothing written: .*certifier/);
      expect(existsSync(join(work, 'cert.json'))).toBe(false);
      await certifyOwnRun(server.url);
    } finally {
      await server.close();
      await otherServer.close();
    }
    const evidence = JSON.parse(readFileSync(join(work, 'cert.log.json'), 'utf8')) as InclusionEvidence;
    const certificate = JSON.parse(readFileSync(join(work, 'cert.json'), 'utf8')) as PluginCertificate;
    const verifier = new LogVerifier({
      log: trusting.publicKey,
      store: memorySthStore(),
      consistency: (a, b) => trusting.consistencyProof(a, b),
    });
    expect(await verifier.checkCertificate(certificate, evidence)).toMatchObject({ accepted: true, index: 0 });
  });

  async function certifyOwnRun(logUrl: string) {
    const r = await runAsync([
      'certify',
      '--adapter',
      adapterDir,
      '--target',
      'anvil',
      '--key',
      key,
      '--out',
      join(work, 'cert.json'),
      '--report-dir',
      join(work, 'own'),
      '--log',
      logUrl,
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^certified @bsn\/adapter-ethereum@0\.1\.0 sha256:[0-9a-f]{64} \(full, process anvil\) until /);
    const written = JSON.parse(readFileSync(report(join(work, 'own')), 'utf8')) as ConformanceReport;
    expect([written.partial, written.verdict, written.cases.length]).toEqual([false, 'pass', ALL_CASES.length]);
    expect(r.stderr).toMatch(/logged at index 0 under a tree head of size 1/);
  }
});
