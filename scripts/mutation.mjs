#!/usr/bin/env node
// `npm run mutation -- <adapter> [--target <devnet>] [--files a,b | --all] [--shared-devnet]…`: Stryker
// mutates the adapter's TypeScript source (one change at a time) and runs the conformance suite
// against each mutant on the adapter's devnet (conformance/suite/src/mutation). A mutant the
// suite still passes "survived": a bug of that shape would be certified. Writes
// .cache/mutation/<adapter>/ (Stryker's HTML and JSON reports, summary.md) and prints the score
// per module and per case family, with every survivor. Long: not part of `npm test`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
// An adapter that splits one of them over several files names its list in mutation-equivalents.json
// (`modules`, paths under src/ without .ts), e.g. a delivery verifier beside interchain/verify.
const CONTRACT_FACING = ['preset-kv', 'events', 'gateway', 'interchain/verify'];
const equivalentsFile = join(root, adapterDir, 'mutation-equivalents.json');
const declared = existsSync(equivalentsFile) ? JSON.parse(readFileSync(equivalentsFile, 'utf8')).modules : undefined;
const chosen = files ?? (declared ?? CONTRACT_FACING).filter((f) => existsSync(join(root, adapterDir, 'src', `${f}.ts`)));
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
  tempDirName: `.cache/stryker-tmp/${basename(adapterDir)}`,
  cleanTempDir: 'always',
  ignorePatterns: ['.cache', '.bsn', 'coverage', '**/*.tsbuildinfo'],
};
const configFile = join(out, 'stryker.config.json');
writeFileSync(configFile, JSON.stringify(config, null, 2));
console.error(
  `[mutation] ${adapter} on ${target} (${args.includes('--shared-devnet') ? 'one devnet for all mutants' : 'a fresh devnet per mutant'}): mutating ${config.mutate.join(' ')}`,
);
// --summary-only: summarize the last run again (after editing mutation-equivalents.json)
const summaryOnly = args.includes('--summary-only');
// A run that fails must not leave the last run's report to be summarized as if it were this one's.
if (!summaryOnly) rmSync(join(out, 'mutation.json'), { force: true });
const run = summaryOnly
  ? { status: 0 }
  : spawnSync(process.execPath, [join(root, 'node_modules/@stryker-mutator/core/bin/stryker.js'), 'run', configFile], {
      cwd: root,
      stdio: 'inherit',
      env: {
        ...process.env,
        BSN_MUTATION_ADAPTER: adapterDir,
        BSN_MUTATION_TARGET: target,
        BSN_MUTATION_SHARED_DEVNET: args.includes('--shared-devnet') ? '1' : '0',
      },
    });
if (!existsSync(join(out, 'mutation.json')) || run.status !== 0) {
  console.error(
    `[mutation] Stryker failed (exit ${run.status}); no report${existsSync(join(out, 'mutation.json')) ? ' summarized' : ' written'}`,
  );
  process.exit(1);
}
writeFileSync(join(out, 'summary.md'), summarize(JSON.parse(readFileSync(join(out, 'mutation.json'), 'utf8'))));
console.log(readFileSync(join(out, 'summary.md'), 'utf8'));
console.error(`[mutation] reports in ${relative(root, out)}: report.html, mutation.json, summary.md`);

/**
 * The adapter's explained mutants: `mutation-equivalents.json` in its folder, entries of
 * { file (under the adapter), line (the source line's text, trimmed), mutator?, why }, or
 * { file, mutator, argumentOf: [function names], why } for every such mutant of a literal that
 * is the first argument of a call to one of them (the words of a rejection, say).
 */
function equivalents() {
  const file = join(root, adapterDir, 'mutation-equivalents.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).equivalent : [];
}

/**
 * Score per module and per case family (the case id's prefix: GW, KV, EV…), every survivor
 * not explained, every explained one with its reason, and explanations that match nothing.
 * The score counts killed (and timed-out) mutants against killed + survived + not covered,
 * explained survivors left out; the floor counts them as survivors.
 */
function summarize(report) {
  const testNames = new Map();
  for (const file of Object.values(report.testFiles ?? {})) for (const t of file.tests) testNames.set(t.id, t.name);
  const family = (testId) => /\b([A-Z]{2,4})-\d{3}\b/.exec(testNames.get(testId) ?? '')?.[1] ?? 'other';
  const entries = equivalents();
  const used = new Set();
  const all = [];
  for (const [path, file] of Object.entries(report.files)) {
    const lines = file.source.split('\n');
    const local = relative(adapterDir, path);
    for (const m of file.mutants) {
      const text = (lines[m.location.start.line - 1] ?? '').trim();
      let explained;
      if (m.status === 'Survived' || m.status === 'NoCoverage') {
        const before = sourceBefore(lines, m.location.start);
        const i = entries.findIndex(
          (e) =>
            e.file === local &&
            (!e.mutator || e.mutator === m.mutatorName) &&
            (e.argumentOf ? new RegExp(`\\b(?:${e.argumentOf.join('|')})\\(\\s*$`).test(before) : e.line === text),
        );
        if (i >= 0) {
          used.add(i);
          explained = entries[i].why;
        }
      }
      all.push({ ...m, path, explained });
    }
  }
  const score = (ms) => {
    const killed = ms.filter((m) => m.status === 'Killed' || m.status === 'Timeout').length;
    const open = ms.filter((m) => (m.status === 'Survived' || m.status === 'NoCoverage') && !m.explained).length;
    const explained = ms.filter((m) => m.explained).length;
    const invalid = ms.filter((m) => m.status === 'CompileError' || m.status === 'RuntimeError').length;
    const pct = (n, d) => (d ? `${((100 * n) / d).toFixed(1)} %` : 'n/a');
    return { killed, open, explained, invalid, pct: pct(killed, killed + open), floor: pct(killed, killed + open + explained) };
  };
  const lines = [
    `# Mutation run: ${adapter} on ${target}`,
    '',
    '| module | killed | survived | explained | score | floor | not valid TypeScript |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const path of Object.keys(report.files)) {
    const s = score(all.filter((m) => m.path === path));
    lines.push(`| ${path} | ${s.killed} | ${s.open} | ${s.explained} | ${s.pct} | ${s.floor} | ${s.invalid} |`);
  }
  const t = score(all);
  lines.push(`| **all** | ${t.killed} | ${t.open} | ${t.explained} | **${t.pct}** | ${t.floor} | ${t.invalid} |`, '');
  lines.push('Score: killed of killed + survived (explained survivors left out); floor: explained ones counted as survivors.', '');
  const byFamily = new Map();
  for (const m of all) for (const f of new Set((m.killedBy ?? []).map(family))) byFamily.set(f, (byFamily.get(f) ?? 0) + 1);
  lines.push('Mutants killed by each case family (a mutant may be killed by several):', '');
  for (const [f, n] of [...byFamily].sort()) lines.push(`- ${f}: ${n}`);
  const where = (m) =>
    `${m.path}:${m.location.start.line} ${m.mutatorName} → \`${String(m.replacement ?? '')
      .replace(/\s+/g, ' ')
      .slice(0, 100)}\``;
  const survivors = all.filter((m) => (m.status === 'Survived' || m.status === 'NoCoverage') && !m.explained);
  lines.push('', `## Survivors (${survivors.length})`, '');
  for (const m of survivors) lines.push(`- ${where(m)} (${m.status})`);
  const explained = all.filter((m) => m.explained);
  lines.push(
    '',
    `## Explained as equivalent (${explained.length}), from ${relative(root, join(root, adapterDir, 'mutation-equivalents.json'))}`,
    '',
  );
  for (const m of explained) lines.push(`- ${where(m)} (${m.status}): ${m.explained}`);
  const stale = entries.filter((_, i) => !used.has(i));
  if (stale.length) {
    lines.push('', `## Explanations that matched no survivor (${stale.length}): the line changed, or the suite now kills it`, '');
    for (const e of stale) lines.push(`- ${e.file}: \`${e.line}\`${e.mutator ? ` (${e.mutator})` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The source before a 1-based { line, column }, from a few lines up (a call's opening may sit on the line above). */
function sourceBefore(lines, { line, column }) {
  return [...lines.slice(Math.max(0, line - 3), line - 1), lines[line - 1].slice(0, column - 1)].join('\n');
}
