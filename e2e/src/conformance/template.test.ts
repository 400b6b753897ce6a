// A new vendor's first hour: scaffold an adapter from the template, run the suite on the
// memory devnet (it passes), and find that such a run is not certifiable.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConformanceReport } from '@bsn/plugin-host';
import { repoRoot } from '@bsn/devnets';

const root = repoRoot();
const bsn = join(root, 'core', 'cli', 'bin', 'bsn.js');
const built =
  existsSync(join(root, 'core', 'cli', 'dist', 'main.js')) && existsSync(join(root, 'adapters', 'template', 'dist', 'index.js'));

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [bsn, ...args], { encoding: 'utf8', timeout: 240_000, env: { ...process.env, ...env } });
}

describe('bsn adapter new', () => {
  it.skipIf(!built)(
    'scaffolds an adapter that passes every MUST case on the memory devnet, compiles on its own, and is refused certification',
    () => {
      // Under the repo's cache so the standalone compile finds TypeScript's Node types.
      mkdirSync(join(root, '.cache'), { recursive: true });
      const work = mkdtempSync(join(root, '.cache', 'scaffold-'));
      const made = run(['adapter', 'new', 'acme', '--out', work]);
      expect(made.status, made.stderr).toBe(0);
      const dir = join(work, 'acme');
      expect(made.stdout).toContain(`created bsn-adapter-acme in ${dir}`);
      const manifest = JSON.parse(readFileSync(join(dir, 'bsn-plugin.json'), 'utf8')) as { name: string; framework: string };
      expect(manifest).toMatchObject({ name: 'bsn-adapter-acme', framework: 'acme' });
      expect(readFileSync(join(dir, 'src', 'gateway.ts'), 'utf8')).toContain('export class AcmeGateway');

      // The run signed by a runner the certifier trusts: what refuses it is its target alone.
      const env = { BSN_PASSPHRASE: 'template test passphrase' };
      const key = join(work, 'certifier.json');
      const runner = join(work, 'runner.json');
      expect(run(['certifier', 'new', '--out', key, '--name', 'test certifier', '--scrypt-n', '1024'], env).status).toBe(0);
      expect(run(['certifier', 'new', '--out', runner, '--name', 'test runner', '--scrypt-n', '1024'], env).status).toBe(0);
      const suite = run(
        ['conformance', 'run', '--adapter', dir, '--target', 'memory', '--out', join(work, 'out'), '--runner-key', runner],
        env,
      );
      expect(suite.status, suite.stderr).toBe(0);
      expect(suite.stderr).toMatch(/verdict: PASS — \d+ passed, 0 failed/);
      expect(suite.stderr).toContain('memory is a memory target, not a chain: this report cannot be certified');
      const report = JSON.parse(readFileSync(join(work, 'out', 'conformance-report.json'), 'utf8')) as ConformanceReport;
      expect(report.target.kind).toBe('memory');
      expect(report.cases.filter((c) => c.level === 'MUST' && c.outcome === 'failed')).toEqual([]);
      expect(report.cases.filter((c) => c.outcome === 'passed').length).toBeGreaterThan(35);

      const certify = run(
        [
          'certify',
          join(work, 'out', 'conformance-report.json'),
          '--key',
          key,
          '--plugin',
          dir,
          '--trust-runner',
          `${runner.slice(0, -5)}.pub.json`,
        ],
        env,
      );
      expect(certify.status, 'exit 3: refused').toBe(3);
      expect(certify.stderr).toContain('target memory is not certifiable: it is a memory target, not a chain');
      expect(existsSync(join(dir, 'bsn-certificate.json'))).toBe(false);

      const tsc = spawnSync(
        process.execPath,
        [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.json'), '--outDir', join(work, 'tsc-out')],
        { encoding: 'utf8' },
      );
      expect(tsc.status, tsc.stdout).toBe(0);

      const again = run(['adapter', 'new', 'acme', '--out', work]);
      expect(again.status).toBe(2);
      expect(again.stderr).toContain('exists and is not empty');
    },
  );

  it.skipIf(!built)('refuses a framework name that is not lowercase letters, digits and dashes', () => {
    const r = run(['adapter', 'new', 'Acme Chain', '--out', mkdtempSync(join(root, '.cache', 'scaffold-'))]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('a framework name is lowercase letters');
  });
});
