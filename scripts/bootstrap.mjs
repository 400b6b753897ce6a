#!/usr/bin/env node
// Makes a fresh clone runnable: npm dependencies (only when the lockfile changed), the
// TypeScript build, and — for tests, benchmarks and the node — the chain binaries the
// devnets need, built from the registries into the ignored .cache/.
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const purpose = process.argv.includes('--for') ? process.argv[process.argv.indexOf('--for') + 1] : 'build';
const step = (msg) => process.stderr.write(`[bootstrap] ${msg}\n`);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    step(`failed: ${cmd} ${args.join(' ')} (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
}

function ensureDependencies() {
  const lock = join(root, 'package-lock.json');
  const stamp = join(root, 'node_modules', '.bsn-lock-sha256');
  const want = createHash('sha256').update(readFileSync(lock)).digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  step('installing npm dependencies from package-lock.json (npm ci)…');
  run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error']);
  writeFileSync(stamp, want);
}

function build() {
  // Workspaces that generate sources (e.g. Solidity compiled with solc) do it in `build:assets`.
  step('building workspace assets (npm run build:assets)…');
  run('npm', ['run', '--workspaces', '--if-present', '--silent', 'build:assets']);
  step('compiling TypeScript (tsc -b)…');
  run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b']);
}

// `tsc -b` compiles what ships; tests, fixtures and benches are run through vitest and tsx,
// which strip types without checking them: an import a change removed from a test was found
// only when the test ran. Checked here before any test runs (incremental: seconds).
function typecheckTests() {
  step('type-checking tests, fixtures and benches (tsconfig.check.json)…');
  run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.check.json']);
}

// npm links workspace bins at install time, before tsc has written them: make them executable now.
function markBinsExecutable() {
  const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  for (const ws of workspaces) {
    const pkg = JSON.parse(readFileSync(join(root, ws, 'package.json'), 'utf8'));
    for (const file of Object.values(pkg.bin ?? {})) {
      const path = join(root, ws, file);
      if (existsSync(path)) chmodSync(path, 0o755);
    }
  }
}

// Each plugin's devnets build what they need (geth and Fabric from the Go module proxy) into
// the ignored .cache/, once; a plugin contributes them through its manifest's `devnets` module.
async function prepareChains() {
  const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  for (const ws of workspaces) {
    const manifestFile = join(root, ws, 'bsn-plugin.json');
    if (!existsSync(manifestFile)) continue;
    const { name, devnets } = JSON.parse(readFileSync(manifestFile, 'utf8'));
    if (!devnets) continue;
    const provider = (await import(pathToFileURL(join(root, ws, devnets)).href)).default;
    if (typeof provider?.prepare !== 'function') continue;
    try {
      await provider.prepare((line) => process.stderr.write(`[devnets] ${line}\n`));
    } catch (error) {
      step(`${name}: preparing its devnets failed: ${error instanceof Error ? error.message : error}`);
      process.exit(1);
    }
  }
}

// The spec-driven fuzzer the gateway's tests run (schemathesis, from PyPI), in a venv under
// the ignored .cache/. Without Python or PyPI the fuzz test skips, saying why.
const SCHEMATHESIS = '4.32.5';
function prepareFuzzer() {
  const venv = join(root, '.cache', 'py', 'schemathesis');
  const st = join(venv, 'bin', 'st');
  const stamp = join(venv, '.version');
  if (existsSync(st) && existsSync(stamp) && readFileSync(stamp, 'utf8') === SCHEMATHESIS) return;
  step(`installing schemathesis ${SCHEMATHESIS} from PyPI into .cache/py (first run only)…`);
  const made = spawnSync('python3', ['-m', 'venv', venv], { cwd: root, stdio: 'inherit' });
  const installed =
    made.status === 0 &&
    spawnSync(join(venv, 'bin', 'pip'), ['install', '-q', `schemathesis==${SCHEMATHESIS}`], { cwd: root, stdio: 'inherit' }).status === 0;
  if (installed) writeFileSync(stamp, SCHEMATHESIS);
  else step('could not install schemathesis (no python3 or no PyPI); the gateway fuzz test will be skipped');
}

ensureDependencies();
build();
markBinsExecutable();
if (purpose === 'test') typecheckTests();
if (purpose === 'test') prepareFuzzer();
if (purpose === 'test' || purpose === 'bench' || purpose === 'start') await prepareChains();
