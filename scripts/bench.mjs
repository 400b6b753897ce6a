#!/usr/bin/env node
// Runs every bench/*.bench.ts (or those whose name contains one of the arguments) with
// `node --import tsx`, one after another. A bench prints one JSON line per measurement:
//   {"bench": "plugin-load", "metric": "verify+load, 300 files", "value": 12.3, "unit": "ms",
//    "ratio"?: 0.9, "baseline"?: "node:crypto", "goal"?: "<50"}
// `ratio` is ours ÷ baseline (for rates, above 1 is faster); `goal` is a comparison with
// the value: "<50", "<=50", ">1000", ">=1000" — or with the ratio when `goalOn` is "ratio"
// (a median of per-round ratios is not the ratio of the two medians). Other output passes through to stderr.
// Prints a table, writes .cache/bench-results.json, and exits 1 if a bench crashed (with
// --strict, also if a goal was missed).
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const strict = args.includes('--strict');
const filters = args.filter((a) => !a.startsWith('--'));
const benchDir = join(root, 'bench');
const files = readdirSync(benchDir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

function goalMet(value, goal) {
  const m = typeof goal === 'string' ? /^\s*(<=|>=|<|>)\s*(-?[\d.]+)\s*$/.exec(goal) : null;
  if (!m) return undefined;
  const limit = Number(m[2]);
  return { '<': value < limit, '<=': value <= limit, '>': value > limit, '>=': value >= limit }[m[1]];
}

function runOne(file) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', join(benchDir, file)], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, BSN_BENCH: '1' },
    });
    const results = [];
    let buffer = '';
    const onLine = (line) => {
      const trimmed = line.trim();
      if (trimmed.startsWith('{')) {
        try {
          const r = JSON.parse(trimmed);
          if (r && typeof r.bench === 'string' && typeof r.metric === 'string' && typeof r.value === 'number') {
            results.push({ file, ...r });
            process.stderr.write(`  ${r.bench} · ${r.metric}: ${format(r.value)} ${r.unit ?? ''}\n`);
            return;
          }
        } catch {
          // not a result line
        }
      }
      if (trimmed) process.stderr.write(`  [${file}] ${line}\n`);
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      let i;
      while ((i = buffer.indexOf('\n')) >= 0) {
        onLine(buffer.slice(0, i));
        buffer = buffer.slice(i + 1);
      }
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), 15 * 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (buffer) onLine(buffer);
      resolve({ file, code, signal, ms: Date.now() - started, results });
    });
  });
}

function format(n) {
  if (typeof n !== 'number') return String(n ?? '');
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString('en-US');
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

const runs = [];
for (const file of files) {
  process.stderr.write(`[bench] ${file}\n`);
  runs.push(await runOne(file));
}

const results = runs
  .flatMap((r) => r.results)
  .map((r) => ({ ...r, goalMet: r.goal === undefined ? undefined : goalMet(r.goalOn === 'ratio' ? r.ratio : r.value, r.goal) }));
const header = ['bench', 'metric', 'value', 'unit', 'ratio', 'goal', 'status'];
const rows = results.map((r) => [
  r.bench,
  r.metric,
  format(r.value),
  r.unit ?? '',
  r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}×${r.baseline ? ` ${r.baseline}` : ''}`,
  r.goal === undefined ? '' : `${r.goal}${r.goalOn === 'ratio' ? '×' : ''}`,
  r.goalMet === undefined ? '' : r.goalMet ? 'ok' : 'MISSED',
]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
const line = (cells) =>
  cells
    .map((c, i) => (i === 2 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
    .join('  ')
    .trimEnd();
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const row of rows) console.log(line(row));

const failed = runs.filter((r) => r.code !== 0);
for (const f of failed) console.log(`\n${f.file} FAILED (exit ${f.code ?? f.signal})`);
if (files.length === 0) console.log('no bench/*.bench.ts files matched');
const missed = results.filter((r) => r.goalMet === false);

mkdirSync(join(root, '.cache'), { recursive: true });
writeFileSync(
  join(root, '.cache', 'bench-results.json'),
  `${JSON.stringify(
    {
      finishedAt: new Date().toISOString(),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpus: cpus().length,
      files: runs.map(({ file, code, signal, ms }) => ({ file, ok: code === 0, exit: code ?? signal, ms })),
      results,
    },
    null,
    2,
  )}\n`,
);
console.log(`\nresults written to .cache/bench-results.json${missed.length ? ` — ${missed.length} goal(s) missed` : ''}`);
process.exitCode = failed.length > 0 || (strict && missed.length > 0) ? 1 : 0;
