import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cacheDir } from './paths.js';

export type Progress = (message: string) => void;

/** Whether `go` is on PATH, and its version line. */
export function goVersion(): string | undefined {
  const r = spawnSync('go', ['version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

export interface GoCommand {
  /** Go package path of the command, e.g. `github.com/ethereum/go-ethereum/cmd/geth`. */
  pkg: string;
  /** A tag, commit hash or pseudo-version: pinned, never `latest`. */
  version: string;
  /** Folder name under .cache/chains/, e.g. `geth-v1.17.10`. */
  cacheName: string;
}

/** Where the built binary of `cmd` lives in the cache (it may not exist yet). */
export function goBinaryPath(cmd: GoCommand): string {
  return join(cacheDir('chains', cmd.cacheName), cmd.pkg.split('/').pop()!);
}

/**
 * `go install pkg@version` into the ignored cache, once. Builds into a staging folder and
 * renames it into place, so an interrupted build never leaves a half binary behind.
 */
export async function ensureGoBinary(cmd: GoCommand, progress: Progress = () => {}): Promise<string> {
  const target = goBinaryPath(cmd);
  if (existsSync(target)) return target;
  if (!goVersion()) throw new Error(`Go is not installed: cannot build ${cmd.pkg}@${cmd.version}`);
  const finalDir = dirname(target);
  const staging = `${finalDir}.building-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  progress(`building ${cmd.pkg}@${cmd.version} with the Go module proxy (first run only; a few minutes)…`);
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn('go', ['install', '-trimpath', `${cmd.pkg}@${cmd.version}`], {
      env: { ...process.env, GOBIN: staging, CGO_ENABLED: '0', GOFLAGS: '-mod=mod' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const ticker = setInterval(
      () => progress(`  still building ${cmd.cacheName} (${Math.round((Date.now() - started) / 1000)} s)…`),
      30_000,
    );
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (e) => {
      clearInterval(ticker);
      reject(e);
    });
    child.on('exit', (code) => {
      clearInterval(ticker);
      if (code === 0) resolve();
      else reject(new Error(`go install ${cmd.pkg}@${cmd.version} failed (exit ${code}):\n${output.slice(-4000)}`));
    });
  });
  rmSync(finalDir, { recursive: true, force: true });
  renameSync(staging, finalDir);
  progress(`built ${cmd.cacheName} in ${Math.round((Date.now() - started) / 1000)} s`);
  return target;
}
