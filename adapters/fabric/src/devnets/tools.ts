import { spawn } from 'node:child_process';
import { basename } from 'node:path';

/**
 * The environment Fabric processes get: ours without any CORE_*, ORDERER_*, FABRIC_* or
 * CHAINCODE_* variable (Fabric reads those as config overrides), plus `extra`.
 */
export function fabricEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(CORE|ORDERER|FABRIC|CHAINCODE|CONFIGTX|OSNADMIN)_/.test(key)) env[key] = value;
  }
  return { ...env, ...extra };
}

export interface ToolOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Gets the command line and its output, for the devnet's log. */
  log?: (line: string) => void;
  timeoutMs?: number;
}

/** Runs a Fabric CLI (cryptogen, configtxgen, osnadmin, peer) to completion; resolves with its stdout. */
export function runTool(command: string, args: string[], options: ToolOptions = {}): Promise<string> {
  const line = `${basename(command)} ${args.join(' ')}`;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? fabricEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      options.log?.(`$ ${line}\n${indent(stdout)}${indent(stderr)}${code === 0 ? '' : `  → ${signal ?? `exit ${code}`}\n`}`);
      if (code === 0) resolve(stdout);
      else reject(new ToolError(line, signal ?? `exit ${code}`, `${stdout}${stderr}`.trim()));
    });
  });
}

export class ToolError extends Error {
  constructor(
    readonly commandLine: string,
    readonly status: string,
    readonly output: string,
  ) {
    super(`${commandLine} failed (${status}): ${output.slice(-2000)}`);
    this.name = 'ToolError';
  }
}

function indent(text: string): string {
  return text ? text.replace(/^/gm, '  ').replace(/\s*$/, '\n') : '';
}
