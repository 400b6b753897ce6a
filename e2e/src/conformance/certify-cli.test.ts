/**
 * A vendor who wants a certificate without passing, as the `bsn` command meets them: a partial
 * run, an unsigned or untrusted report, a failing report edited to pass. Each is refused with
 * exit 3 and the reason; the certifier's own one-step run (`certify --adapter --target`) certifies.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnvilDevnet } from '@bsn/adapter-ethereum/devnets';
import { repoRoot } from '@bsn/devnets';
import { summarizeCases, type ConformanceReport } from '@bsn/plugin-host';
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
      /not certified: only a complete run certifies: the run was partial \(--only\); 45 case\(s\) of suite 1\.2\.0 are missing: DSC-002, DSC-003, KEY-001/,
    );
    expect(existsSync(join(work, 'cert.json'))).toBe(false);
  });

  it('a failing report is refused; edited to pass, its signature no longer holds', () => {
    const faulty = writeFaultyEthereumPlugin('drop-event', adapterDir, mkdtempSync(join(tmpdir(), 'bsn-fault-drop-event-')));
    const out = join(work, 'failing');
    const r = run(['conformance', 'run', '--adapter', faulty, '--target', 'anvil', '--out', out, '--runner-key', runner]);
    expect(r.status, 'verdict fail').toBe(3);
    const failing = certify(report(out));
    expect(failing.status).toBe(3);
    expect(failing.stderr).toMatch(/not certified: every MUST case of a claimed capability must pass: .*EV-001 failed/);

    const edited = JSON.parse(readFileSync(report(out), 'utf8')) as ConformanceReport;
    expect(edited.cases.filter((c) => c.outcome === 'failed').map((c) => c.id)).toEqual(
      expect.arrayContaining([...FAULTS['drop-event'].catches]),
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
  });

  it('a passing report unsigned, or signed by a runner the certifier does not trust, is refused', () => {
    const out = join(work, 'unsigned');
    expect(run(['conformance', 'run', '--adapter', adapterDir, '--target', 'anvil', '--out', out]).status).toBe(0);
    const unsigned = certify(report(out));
    expect(unsigned.status).toBe(3);
    expect(unsigned.stderr).toContain('not certified: the report carries no runner signature');
    const elsewhere = join(work, 'stranger-run');
    expect(
      run(['conformance', 'run', '--adapter', adapterDir, '--target', 'anvil', '--out', elsewhere, '--runner-key', stranger]).status,
    ).toBe(0);
    const untrusted = certify(report(elsewhere));
    expect(untrusted.status).toBe(3);
    expect(untrusted.stderr).toMatch(/not certified: the report's runner signature does not hold: signed by an untrusted key/);
    expect(existsSync(join(work, 'cert.json'))).toBe(false);
  });

  it("the certifier's own run certifies in one step: bsn certify --adapter --target", () => {
    const r = run([
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
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^certified @bsn\/adapter-ethereum@0\.1\.0 sha256:[0-9a-f]{64} \(full, process anvil\) until /);
    const written = JSON.parse(readFileSync(report(join(work, 'own')), 'utf8')) as ConformanceReport;
    expect([written.partial, written.verdict, written.cases.length]).toEqual([false, 'pass', 46]);
  });
});
