import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Availability } from '@bsn/contract';
import { cacheDir, goVersion, type Progress } from '@bsn/devnets';

/**
 * The FISCO Go SDK probe (tools/go-sdk-probe): a small program of ours over the pure-Go
 * packages of github.com/FISCO-BCOS/go-sdk/v3 at the pinned pseudo-version (its go.mod and
 * go.sum), built with CGO_ENABLED=0 from the Go module proxy into the ignored .cache/, once per
 * version of its sources. The faithfulness tests sign transactions with it.
 */
const SOURCES = fileURLToPath(new URL('../../tools/go-sdk-probe/', import.meta.url));

function sourcesDigest(): string {
  const h = createHash('sha256');
  for (const f of ['go.mod', 'go.sum', 'main.go']) h.update(readFileSync(join(SOURCES, f)));
  return h.digest('hex').slice(0, 12);
}

export function goSdkProbePath(): string {
  return join(cacheDir('chains', `fisco-go-sdk-probe-${sourcesDigest()}`), 'go-sdk-probe');
}

export function goSdkProbeAvailability(): Availability {
  if (existsSync(goSdkProbePath())) return { ok: true };
  if (!goVersion()) return { ok: false, reason: 'Go is not installed, so the FISCO Go SDK probe cannot be built' };
  return { ok: false, reason: 'the FISCO Go SDK probe is not built yet: run `node scripts/bootstrap.mjs --for test`' };
}

/** Builds the probe unless this version of it is built; a machine without Go skips it, saying so. */
export async function prepareGoSdkProbe(progress: Progress): Promise<void> {
  const target = goSdkProbePath();
  if (existsSync(target)) return;
  if (!goVersion()) {
    progress('Go is not installed: the FISCO Go SDK probe will not be built and its faithfulness checks will be skipped.');
    return;
  }
  const finalDir = dirname(target);
  const staging = `${finalDir}.building-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  progress('building the FISCO Go SDK probe (github.com/FISCO-BCOS/go-sdk/v3, CGO off) from the Go module proxy (first run only)…');
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn('go', ['build', '-trimpath', '-o', join(staging, 'go-sdk-probe'), '.'], {
      cwd: SOURCES,
      env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=mod' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`go build of the FISCO Go SDK probe failed (exit ${code}):\n${output.slice(-4000)}`)),
    );
  });
  rmSync(finalDir, { recursive: true, force: true });
  renameSync(staging, finalDir);
  progress(`built the FISCO Go SDK probe in ${Math.round((Date.now() - started) / 1000)} s`);
}
