// The arrows between packages and the formatting are checked like any other test: a change
// that breaks either fails `npm test`. Each check is shown to fail on a planted violation.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@bsn/devnets';

const root = repoRoot();
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
const run = (cmd: string, args: string[]) => spawnSync(bin(cmd), args, { cwd: root, encoding: 'utf8', timeout: 120_000 });

describe('package boundaries (dependency-cruiser, .dependency-cruiser.cjs)', () => {
  it('hold across every workspace', () => {
    const r = run('depcruise', ['--config', '.dependency-cruiser.cjs', 'core', 'conformance', 'adapters', 'e2e', 'bench']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('no dependency violations found');
  });

  it('fail on planted wrong-way imports, naming each rule', () => {
    const planted = ['core/contract/src/__fixtures__/boundary-violation', 'adapters/template/src/__fixtures__/boundary-violation'];
    const r = run('depcruise', ['--config', '.dependency-cruiser.cjs', '--exclude', '\\.cache/', ...planted]);
    expect(r.status).not.toBe(0);
    expect(r.stdout).toContain(
      'error core-contract-arrows: core/contract/src/__fixtures__/boundary-violation/contract-imports-city-node.ts',
    );
    expect(r.stdout).toContain(
      'error adapters-depend-on-the-contract-and-devnets-only: adapters/template/src/__fixtures__/boundary-violation/adapter-imports-suite.ts',
    );
    expect(r.stdout).toContain(
      'error no-relative-path-into-another-package: adapters/template/src/__fixtures__/boundary-violation/relative-path-into-core.ts',
    );
  });
});

describe('formatting (prettier, .prettierrc.json)', () => {
  it('every source file is formatted', () => {
    const r = run('prettier', ['--check', '.']);
    expect(r.status, `${r.stdout}${r.stderr}\nrun: npx prettier --write .`).toBe(0);
  });

  it('a planted misformatted file fails the check', () => {
    const r = run('prettier', ['--check', '--ignore-path', '/dev/null', 'e2e/src/repo/__fixtures__/format-violation/misformatted.ts']);
    expect(r.status).toBe(1);
    expect(r.stderr + r.stdout).toContain('misformatted.ts');
  });
});
