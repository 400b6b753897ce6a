import { appendFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeProcess, StartedDevnet } from '@bsn/devnets';
import type { FabricNetworkConfig } from './network-config.js';
import type { PeerCli } from './peer-cli.js';

/** A Fabric network that is up: the network config, and the processes only it can stop. */
export interface StartedFabricDevnet extends StartedDevnet {
  readonly network: FabricNetworkConfig;
  /** The temp folder with crypto material, configs, ledgers and `logs/`. */
  readonly dir: string;
  readonly logDir: string;
  /** Every long-running process the devnet started (orderer, peers, chaincode servers). */
  processes(): Array<{ name: string; pid: number | undefined }>;
  /** The channel's block height as the org's peer reports it (`peer channel getinfo`). */
  height(mspId?: string): Promise<number>;
}

/** A devnet's temp folder, its `logs/` and the step log every stage appends to. */
export function devnetFolders(prefix: string): { dir: string; logDir: string; stepLog: string; log: (line: string) => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const logDir = join(dir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const stepLog = join(logDir, 'devnet.log');
  return { dir, logDir, stepLog, log: stepLogger(stepLog) };
}

/** The handle both Fabric devnets return once ready; `stop` runs once however often it is called. */
export function startedDevnet(o: {
  name: string;
  kind: StartedFabricDevnet['kind'];
  node: string;
  network: FabricNetworkConfig;
  dir: string;
  logDir: string;
  stepLog: string;
  log: (line: string) => void;
  startedAt: number;
  processes: Array<{ name: string; process: NodeProcess }>;
  height: StartedFabricDevnet['height'];
  stop: () => Promise<void>;
}): StartedFabricDevnet {
  o.log(`ready after ${Date.now() - o.startedAt} ms: ${o.node}`);
  let stopped: Promise<void> | undefined;
  return {
    name: o.name,
    kind: o.kind,
    node: o.node,
    network: o.network,
    dir: o.dir,
    logDir: o.logDir,
    logFile: o.stepLog,
    processes: () => o.processes.map((p) => ({ name: p.name, pid: p.process.pid })),
    height: o.height,
    stop: () => (stopped ??= o.stop()),
  };
}

/** A start that failed: logged with its stack, everything started stopped, rethrown with where the logs are. */
export async function failedStart(
  what: string,
  error: unknown,
  o: { log: (line: string) => void; logDir: string; stopAll: () => Promise<void> },
): Promise<never> {
  o.log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  await o.stopAll();
  const message = error instanceof Error ? error.message : String(error);
  throw new Error(`${what} failed to start: ${message}\n(logs: ${o.logDir})`, { cause: error });
}

/** Appends timestamped lines to the devnet's step log. */
function stepLogger(file: string): (line: string) => void {
  return (line: string) => appendFileSync(file, `${new Date().toISOString()} ${line.endsWith('\n') ? line : `${line}\n`}`);
}

/** `height(mspId?)` of a started devnet: the channel's height as that org's peer reports it. */
export function heightOf(clis: PeerCli[], channel: string, defaultMspId: string): (mspId?: string) => Promise<number> {
  return async (mspId = defaultMspId) => {
    const cli = clis.find((c) => c.admin.mspId === mspId);
    if (!cli) throw new Error(`no peer of ${mspId}`);
    const height = await cli.height(channel);
    if (height === undefined) throw new Error(`${mspId}'s peer reports no height for ${channel}`);
    return height;
  };
}
