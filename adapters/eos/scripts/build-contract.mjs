#!/usr/bin/env node
// Compiles the preset data contract (contract/*.ts, AssemblyScript) with proton-tsc's compiler
// into contract/target/bsn-kv.contract.{wasm,abi}: build outputs, never committed. Skipped
// when the sources have not changed since the last build (the compile takes ~13 s).
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sources = join(root, 'contract');
const target = join(sources, 'target');
const outputs = ['bsn-kv.contract.wasm', 'bsn-kv.contract.abi'].map((f) => join(target, f));
const stampFile = join(target, '.sources-sha256');

const hash = createHash('sha256');
for (const file of readdirSync(sources)
  .filter((f) => f.endsWith('.ts'))
  .sort()) {
  hash
    .update(file)
    .update('\0')
    .update(readFileSync(join(sources, file)))
    .update('\0');
}
const stamp = hash.digest('hex');
if (outputs.every(existsSync) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) process.exit(0);

process.stderr.write('[adapter-eos] compiling the preset data contract with proton-asc (about 15 s)…\n');
// proton-asc runs further tools of its own (ts-node-transpile-only) by name: both bin folders go on PATH.
const bins = [join(root, 'node_modules', '.bin'), join(root, '..', '..', 'node_modules', '.bin')].filter(existsSync);
const env = { ...process.env, PATH: [...bins, process.env.PATH].join(delimiter) };
const r = spawnSync('proton-asc', [join('contract', 'bsn-kv.contract.ts')], { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] });
if (r.status !== 0 || !outputs.every(existsSync)) {
  process.stderr.write(`[adapter-eos] proton-asc failed (exit ${r.status ?? r.signal})\n`);
  process.exit(1);
}
writeFileSync(stampFile, stamp);
