import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { goVersion, type Availability, type Progress, cacheDir } from '@bsn/devnets';

/**
 * Hyperledger Fabric v2.5.9, by the Go pseudo-version of its release commit
 * (7c3876255bf0, tagged v2.5.9, 2024-06-18). The Go module proxy here refuses
 * `go install github.com/hyperledger/fabric/...@v2.5.9` (Fabric's tags are not valid module
 * versions and the deprecation lookup needs a forbidden `@v/list`), so the commands are
 * built from a throwaway module that requires this pseudo-version.
 */
export const FABRIC_VERSION = '2.5.9';
export const FABRIC_MODULE = 'github.com/hyperledger/fabric';
export const FABRIC_PSEUDO_VERSION = 'v0.0.0-20240618194258-7c3876255bf0';
const FABRIC_COMMIT = '7c3876255bf0';

/** The Fabric commands the devnet runs. */
export const FABRIC_COMMANDS = ['peer', 'orderer', 'configtxgen', 'osnadmin', 'cryptogen'] as const;
export type FabricCommand = (typeof FABRIC_COMMANDS)[number];

/** Recorded beside the binaries; a folder whose stamp differs (or is missing) is rebuilt. */
const RECIPE = {
  module: FABRIC_MODULE,
  version: FABRIC_PSEUDO_VERSION,
  commands: [...FABRIC_COMMANDS],
  // Fabric's Makefile stamps the version this way; without it `peer version` says "latest".
  ldflags: `-X ${FABRIC_MODULE}/common/metadata.Version=${FABRIC_VERSION} -X ${FABRIC_MODULE}/common/metadata.CommitSHA=${FABRIC_COMMIT}`,
};
const STAMP = 'build.json';

/** Where a failed build leaves its error, for `available()` to give as the reason. */
export function fabricBuildFailureLog(): string {
  return `${fabricBinDir()}.build-failed.log`;
}

/**
 * For the bootstrap: builds Fabric once, and if that fails, records why instead of failing
 * the whole test run; the Fabric checks then skip with that reason (and the next bootstrap
 * tries again).
 */
export async function prepareFabricBinaries(progress: Progress): Promise<void> {
  try {
    await ensureFabricBinaries(progress);
    rmSync(fabricBuildFailureLog(), { force: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    mkdirSync(dirname(fabricBuildFailureLog()), { recursive: true });
    writeFileSync(fabricBuildFailureLog(), `${new Date().toISOString()}\n${message}\n`);
    progress(
      `building Hyperledger Fabric failed; its checks will be skipped (details: ${fabricBuildFailureLog()}):\n${message.slice(0, 2000)}`,
    );
  }
}

export function fabricBinDir(): string {
  return cacheDir('chains', `fabric-v${FABRIC_VERSION}`);
}

export function fabricBinary(cmd: FabricCommand): string {
  return join(fabricBinDir(), cmd);
}

/** Whether every command is built, by the current recipe. */
export function fabricBinariesPresent(): boolean {
  const dir = fabricBinDir();
  try {
    if (readFileSync(join(dir, STAMP), 'utf8') !== JSON.stringify(RECIPE)) return false;
  } catch {
    return false;
  }
  return FABRIC_COMMANDS.every((cmd) => existsSync(join(dir, cmd)));
}

/**
 * Builds peer, orderer, configtxgen, osnadmin and cryptogen into `.cache/chains/fabric-v2.5.9/`,
 * once: a throwaway Go module requiring Fabric's pseudo-version, `go mod tidy`, then one
 * `go build` of all commands into a staging folder that is renamed into place.
 */
export async function ensureFabricBinaries(progress: Progress = () => {}): Promise<string> {
  const finalDir = fabricBinDir();
  if (fabricBinariesPresent()) return finalDir;
  if (!goVersion()) throw new Error(`Go is not installed: cannot build Hyperledger Fabric v${FABRIC_VERSION} from the Go module proxy`);

  const staging = `${finalDir}.building-${process.pid}`;
  const module = mkdtempSync(join(tmpdir(), 'bsn-fabricbuild-'));
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  writeFileSync(join(module, 'go.mod'), `module bsn.local/fabricbuild\n\ngo 1.22\n\nrequire ${FABRIC_MODULE} ${FABRIC_PSEUDO_VERSION}\n`);
  writeFileSync(
    join(module, 'tools.go'),
    `//go:build tools\n\npackage tools\n\nimport (\n${FABRIC_COMMANDS.map((c) => `\t_ "${FABRIC_MODULE}/cmd/${c}"\n`).join('')})\n`,
  );
  const env = {
    ...process.env,
    // The fabric pseudo-version is not in the checksum database the proxy serves.
    GONOSUMDB: [process.env.GONOSUMDB, FABRIC_MODULE].filter(Boolean).join(','),
    GOFLAGS: '-mod=mod',
    CGO_ENABLED: '0',
  };
  const started = Date.now();
  progress(
    `building Hyperledger Fabric v${FABRIC_VERSION} (${FABRIC_COMMANDS.join(', ')}) with the Go module proxy (first run only; can take 10+ minutes)…`,
  );
  const ticker = setInterval(
    () => progress(`  still building fabric-v${FABRIC_VERSION} (${Math.round((Date.now() - started) / 1000)} s)…`),
    30_000,
  );
  try {
    await run('go', ['mod', 'tidy'], module, env);
    await run(
      'go',
      ['build', '-trimpath', '-ldflags', RECIPE.ldflags, '-o', staging + '/', ...FABRIC_COMMANDS.map((c) => `${FABRIC_MODULE}/cmd/${c}`)],
      module,
      env,
    );
    for (const cmd of FABRIC_COMMANDS) {
      if (!existsSync(join(staging, cmd))) throw new Error(`go build produced no ${cmd} binary in ${staging}`);
    }
    writeFileSync(join(staging, STAMP), JSON.stringify(RECIPE));
    rmSync(finalDir, { recursive: true, force: true });
    renameSync(staging, finalDir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  } finally {
    clearInterval(ticker);
    rmSync(module, { recursive: true, force: true });
  }
  progress(`built fabric-v${FABRIC_VERSION} in ${Math.round((Date.now() - started) / 1000)} s`);
  return finalDir;
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (d: Buffer) => {
      output = (output + d.toString()).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`}) in ${cwd}:\n${output.slice(-4000)}`));
    });
  });
}

/** Whether the Fabric binaries are built here, and if not, why (no Go, a failed build, not built yet). */
export function fabricCliAvailability(): Availability {
  if (fabricBinariesPresent()) return { ok: true };
  if (!goVersion()) return { ok: false, reason: 'Go is not installed, so Hyperledger Fabric cannot be built from the Go module proxy' };
  if (existsSync(fabricBuildFailureLog())) {
    const lines = readFileSync(fabricBuildFailureLog(), 'utf8')
      .split('\n')
      .slice(1)
      .map((l) => l.trim())
      .filter(Boolean);
    const why = lines.slice(0, 3).join(' ') || 'unknown error';
    return { ok: false, reason: `building Hyperledger Fabric v${FABRIC_VERSION} failed: ${why} (details: ${fabricBuildFailureLog()})` };
  }
  return {
    ok: false,
    reason: `Hyperledger Fabric is not built yet: run \`node scripts/bootstrap.mjs --for test\` (builds fabric v${FABRIC_VERSION}, ${FABRIC_PSEUDO_VERSION})`,
  };
}
