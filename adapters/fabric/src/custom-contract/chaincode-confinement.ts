/**
 * How an app's own chaincode runs on the node's machine: untrusted code, so each chaincode
 * server is its own process under Node's permission model (as #7 confines plugins) and under
 * resource limits the kernel enforces:
 *
 * - files: it reads its own package folder and the Fabric shim's packages (the dependency
 *   closure of fabric-shim and fabric-contract-api, which the node provides), and writes
 *   nothing — not the node's keys, its config or registry, nor another app's package folder;
 *   no child processes, workers, addons or WASI (each off unless granted, and none is);
 * - CPU: RLIMIT_CPU (prlimit): at the soft limit the kernel sends SIGXCPU, which ends a Node
 *   process, one second later SIGKILL. A chaincode stuck in a loop is stopped there; the
 *   supervisor (chaincode-service.ts) starts it again, so a healthy one that used up its
 *   budget over a long life is only restarted;
 * - memory: the V8 heap (--max-old-space-size) and the address space (RLIMIT_AS; V8 reserves
 *   about 1 GB of address space before it runs anything, so the floor is well above that);
 * - environment: only what the shim needs (no passphrase, no CORE_* of the node's own peer).
 *
 * What this does not confine: the network (Node 20's permission model has no network
 * scope): a chaincode may open sockets like any local process.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UnavailableError } from '@bsn/contract';
import { FRAMEWORK } from '../describe.js';

export interface ChaincodeLimits {
  /** CPU seconds before SIGXCPU (then SIGKILL a second later). */
  cpuSeconds: number;
  /** The V8 old-space heap, MB. */
  heapMb: number;
  /** RLIMIT_AS, MB (Node does not start below about 1.5 GB: V8 reserves address space up front). */
  addressSpaceMb: number;
}

export const DEFAULT_CHAINCODE_LIMITS: ChaincodeLimits = { cpuSeconds: 60, heapMb: 256, addressSpaceMb: 2048 };

/** The packages a Node chaincode gets from the node: the shim and the contract API. */
export const PROVIDED_PACKAGES = ['fabric-contract-api', 'fabric-shim'] as const;

export interface ChaincodeCommand {
  command: string;
  args: string[];
  env: Record<string, string>;
  /** The paths the process may read (its package folder first). */
  reads: string[];
}

const PRLIMIT_CANDIDATES = ['/usr/bin/prlimit', '/bin/prlimit', '/usr/local/bin/prlimit'];

let prlimitFound: string | undefined;

/**
 * Found by running it, not by looking: a confined plugin may start processes (its child-process
 * grant) without being allowed to read /usr/bin, where existsSync would answer false.
 */
function prlimit(): string {
  const found = (prlimitFound ??= PRLIMIT_CANDIDATES.find((p) => spawnSync(p, ['--version'], { stdio: 'ignore' }).status === 0));
  if (!found) {
    throw new UnavailableError(
      'prlimit (util-linux) is not installed: a custom chaincode cannot be given CPU and memory limits, so it is not run',
      { stage: 'validate', detail: { framework: FRAMEWORK, data: { looked: PRLIMIT_CANDIDATES } } },
    );
  }
  return found;
}

/** The folder of `name` as Node finds it from `from` (walking up node_modules; a package's exports need not list package.json). */
function findPackage(from: string, name: string): string | undefined {
  // Confined, the plugin may read only its own packages: a folder it may not read is not where
  // they are, and looking there would be refused (and logged as an attempt).
  const permission = (process as { permission?: { has(scope: string, reference?: string): boolean } }).permission;
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    const manifest = join(candidate, 'package.json');
    if ((!permission || permission.has('fs.read', manifest)) && existsSync(manifest)) return realpathSync(candidate);
    if (dirname(dir) === dir) return undefined;
  }
}

/** The folder of each package of the closure of `names` (dependencies and optional ones installed), real paths. */
export function providedClosure(names: readonly string[] = PROVIDED_PACKAGES): string[] {
  const seen = new Set<string>();
  const visit = (name: string, from: string) => {
    const dir = findPackage(from, name);
    if (dir === undefined || seen.has(dir)) return; // an optional dependency not installed, or seen
    seen.add(dir);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) visit(dep, dir);
  };
  const here = dirname(fileURLToPath(import.meta.url));
  for (const name of names) visit(name, here);
  return [...seen];
}

/** Where the provided packages resolve from (NODE_PATH of the chaincode): the node_modules holding fabric-contract-api. */
function modulesDir(): string {
  const manifest = createRequire(import.meta.url).resolve('fabric-contract-api/package.json');
  return dirname(dirname(manifest));
}

function shimCli(): string {
  return join(dirname(createRequire(import.meta.url).resolve('fabric-shim/package.json')), 'cli.js');
}

/**
 * The confined command of one chaincode server: `prlimit --cpu --as -- node <permission flags>
 * fabric-shim/cli.js server --chaincode-address … --chaincode-id … --module-path <package>`.
 */
export function chaincodeCommand(o: { packageDir: string; address: string; packageId: string; limits: ChaincodeLimits }): ChaincodeCommand {
  const { limits } = o;
  const packageDir = realpathSync(o.packageDir);
  const modules = modulesDir();
  const reads = [packageDir, ...providedClosure()];
  const permission = process.allowedNodeEnvironmentFlags.has('--permission') ? '--permission' : '--experimental-permission';
  const addressSpace = limits.addressSpaceMb * 1024 * 1024;
  return {
    command: prlimit(),
    args: [
      `--cpu=${limits.cpuSeconds}:${limits.cpuSeconds + 1}`,
      `--as=${addressSpace}:${addressSpace}`,
      '--',
      process.execPath,
      permission,
      // Node 20 takes one path per flag (it does not split a comma-separated list).
      ...reads.map((p) => `--allow-fs-read=${p}`),
      `--max-old-space-size=${limits.heapMb}`,
      '--disable-warning=ExperimentalWarning',
      shimCli(),
      'server',
      '--chaincode-address',
      o.address,
      '--chaincode-id',
      o.packageId,
      '--module-path',
      packageDir,
    ],
    env: { NODE_PATH: modules, CORE_CHAINCODE_LOGGING_LEVEL: 'info', ...(process.env.TZ && { TZ: process.env.TZ }) },
    reads,
  };
}
