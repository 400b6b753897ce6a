#!/usr/bin/env node
// `npm run mutation -- <adapter> [--target <devnet>] [--files a,b | --all] [--shared-devnet]…`: Stryker
// mutates the adapter's TypeScript source (one change at a time) and runs the conformance suite
// against each mutant on the adapter's devnet (conformance/suite/src/mutation). A mutant the
// suite still passes "survived": a bug of that shape would be certified. Writes
// .cache/mutation/<adapter>/ (Stryker's HTML and JSON reports, summary.md) and prints the score
// per module and per case family, with every survivor. Long: not part of `npm test`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const adapter = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
if (!adapter) {
  console.error(
    'usage: npm run mutation -- <adapter> [--target <devnet>] [--files preset-kv,events | --all] [--mutate <glob>] [--shared-devnet]',
  );
  process.exit(2);
}
// A name under adapters/, or a plugin folder's path (inside the repository: Stryker copies it).
const adapterDir = existsSync(join(root, 'adapters', adapter, 'bsn-plugin.json'))
  ? join('adapters', adapter)
  : relative(root, resolve(process.env.INIT_CWD ?? process.cwd(), adapter));
if (!existsSync(join(root, adapterDir, 'bsn-plugin.json')) || adapterDir.startsWith('..')) {
  console.error(`no adapter plugin in ${adapterDir} (give a folder name under adapters/, or a plugin folder inside this repository)`);
  process.exit(2);
}
const manifest = JSON.parse(readFileSync(join(root, adapterDir, 'bsn-plugin.json'), 'utf8'));
const provider = (await import(join(root, adapterDir, manifest.devnets))).default;
const target = option('target') ?? provider.local;
const files = option('files')?.split(',');
const mutate = args.flatMap((a, i) => (args[i - 1] === '--mutate' ? [a] : []));
// By default the modules the contract's cases speak to most directly (bounded to about an hour);
// `--all` mutates every source file of the adapter (much longer).
const CONTRACT_FACING = ['preset-kv', 'events', 'gateway', 'interchain/verify'];
const chosen = files ?? CONTRACT_FACING.filter((f) => existsSync(join(root, adapterDir, 'src', `${f}.ts`)));
const defaultMutate = args.includes('--all')
  ? [
      `${adapterDir}/src/**/*.ts`,
      `!${adapterDir}/src/**/*.test.ts`,
      `!${adapterDir}/src/**/__fixtures__/**`,
      `!${adapterDir}/src/devnets/**`,
      `!${adapterDir}/src/generated/**`,
    ]
  : chosen.map((f) => `${adapterDir}/src/${f.replace(/\.ts$/, '')}.ts`);

const out = join(root, '.cache', 'mutation', basename(adapterDir));
mkdirSync(out, { recursive: true });
const config = {
  $schema: '../../../node_modules/@stryker-mutator/core/schema/stryker-schema.json',
  testRunner: 'vitest',
  // The suite imports the adapter by path at run time, so vitest cannot tell which tests relate to a file: run them all (per-test coverage still picks).
  vitest: { configFile: 'conformance/suite/vitest.mutation.config.ts', related: false },
  checkers: ['typescript'],
  tsconfigFile: `${adapterDir}/tsconfig.json`,
  mutate: mutate.length ? mutate : defaultMutate,
  coverageAnalysis: 'perTest',
  concurrency: 1,
  timeoutMS: 120_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: relative(root, join(out, 'report.html')) },
  jsonReporter: { fileName: relative(root, join(out, 'mutation.json')) },
  tempDirName: '.cache/stryker-tmp',
  cleanTempDir: 'always',
  ignorePatterns: ['.cache', '.bsn', 'coverage', '**/*.tsbuildinfo'],
};
const configFile = join(out, 'stryker.config.json');
writeFileSync(configFile, JSON.stringify(config, null, 2));
console.error(
  `[mutation] ${adapter} on ${target} (${args.includes('--shared-devnet') ? 'one devnet for all mutants' : 'a fresh devnet per mutant'}): mutating ${config.mutate.join(' ')}`,
);
const run = spawnSync(process.execPath, [join(root, 'node_modules/@stryker-mutator/core/bin/stryker.js'), 'run', configFile], {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    BSN_MUTATION_ADAPTER: adapterDir,
    BSN_MUTATION_TARGET: target,
    BSN_MUTATION_SHARED_DEVNET: args.includes('--shared-devnet') ? '1' : '0',
  },
});
if (!existsSync(join(out, 'mutation.json'))) {
  console.error(`[mutation] Stryker wrote no report (exit ${run.status})`);
  process.exit(1);
}
writeFileSync(join(out, 'summary.md'), summarize(JSON.parse(readFileSync(join(out, 'mutation.json'), 'utf8'))));
console.log(readFileSync(join(out, 'summary.md'), 'utf8'));
console.error(`[mutation] reports in ${relative(root, out)}: report.html, mutation.json, summary.md`);

/** Score per module and per case family (the case id's prefix: GW, KV, EV…), and every survivor. */
function summarize(report) {
  const testNames = new Map();
  for (const file of Object.values(report.testFiles ?? {})) for (const t of file.tests) testNames.set(t.id, t.name);
  const family = (testId) => /\b([A-Z]{2,4})-\d{3}\b/.exec(testNames.get(testId) ?? '')?.[1] ?? 'other';
  const score = (ms) => {
    const killed = ms.filter((m) => m.status === 'Killed' || m.status === 'Timeout').length;
    const counted = ms.filter((m) => ['Killed', 'Timeout', 'Survived', 'NoCoverage'].includes(m.status)).length;
    const invalid = ms.filter((m) => m.status === 'CompileError' || m.status === 'RuntimeError').length;
    return { killed, counted, invalid, pct: counted ? `${((100 * killed) / counted).toFixed(1)} %` : 'n/a' };
  };
  const lines = [
    `# Mutation run: ${adapter} on ${target}`,
    '',
    '| module | killed | of | score | not valid TypeScript |',
    '| --- | --- | --- | --- | --- |',
  ];
  const all = [];
  for (const [path, file] of Object.entries(report.files)) {
    const s = score(file.mutants);
    all.push(...file.mutants.map((m) => ({ ...m, path })));
    lines.push(`| ${path} | ${s.killed} | ${s.counted} | ${s.pct} | ${s.invalid} |`);
  }
  const total = score(all);
  lines.push(`| **all** | ${total.killed} | ${total.counted} | **${total.pct}** | ${total.invalid} |`, '');
  const byFamily = new Map();
  for (const m of all) for (const f of new Set((m.killedBy ?? []).map(family))) byFamily.set(f, (byFamily.get(f) ?? 0) + 1);
  lines.push('Mutants killed by each case family (a mutant may be killed by several):', '');
  for (const [f, n] of [...byFamily].sort()) lines.push(`- ${f}: ${n}`);
  const survivors = all.filter((m) => m.status === 'Survived' || m.status === 'NoCoverage');
  lines.push('', `## Survivors (${survivors.length})`, '');
  for (const m of survivors) {
    lines.push(
      `- ${m.path}:${m.location.start.line} ${m.mutatorName} → \`${String(m.replacement ?? '')
        .replace(/\s+/g, ' ')
        .slice(0, 100)}\` (${m.status})`,
    );
  }
  // Equivalent mutants are explained in the source, where the next reader of the line sees why:
  // `// Stryker disable next-line <mutator>: <why no behaviour changes>`.
  const explained = all.filter((m) => m.status === 'Ignored');
  lines.push('', `## Explained as equivalent (${explained.length})`, '');
  for (const m of explained) lines.push(`- ${m.path}:${m.location.start.line} ${m.mutatorName}: ${m.statusReason ?? '(no reason given)'}`);
  return `${lines.join('\n')}\n`;
}
