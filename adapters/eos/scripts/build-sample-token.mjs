#!/usr/bin/env node
// Compiles the kit's sample token (samples/token/token-v1 and token-v2, AssemblyScript) with
// proton-tsc's compiler into samples/token/target/: build outputs, never committed, which the
// devnets module hands the conformance suite (DevnetProvider.tokenSample). Skipped when the
// sources have not changed since the last build (each version takes ~15 s to compile).
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sources = join(root, 'samples', 'token');
const target = join(sources, 'target');
const versions = ['token-v1', 'token-v2'];
const outputs = versions.flatMap((v) => [`${v}.contract.wasm`, `${v}.contract.abi`]).map((f) => join(target, f));
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

const bins = [join(root, 'node_modules', '.bin'), join(root, '..', '..', 'node_modules', '.bin')].filter(existsSync);
const env = { ...process.env, PATH: [...bins, process.env.PATH].join(delimiter) };
for (const version of versions) {
  process.stderr.write(`[adapter-eos] compiling the sample token ${version} with proton-asc (about 15 s)…\n`);
  const r = spawnSync('proton-asc', [join('samples', 'token', `${version}.contract.ts`)], {
    cwd: root,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (r.status !== 0) {
    process.stderr.write(`[adapter-eos] proton-asc failed on ${version} (exit ${r.status ?? r.signal})\n`);
    process.exit(1);
  }
}
if (!outputs.every(existsSync)) {
  process.stderr.write(`[adapter-eos] proton-asc left no ${outputs.filter((f) => !existsSync(f)).join(', ')}\n`);
  process.exit(1);
}
writeFileSync(stampFile, stamp);
