import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { UnavailableError, type Logger } from '@bsn/contract';
import { FRAMEWORK } from '../describe.js';
import { chaincodeCommand, type ChaincodeLimits } from './chaincode-confinement.js';

/** Whether this process may start others (false inside a plugin confined without the child-process grant). */
function processesAllowed(): boolean {
  const permission = (process as { permission?: { has(scope: string): boolean } }).permission;
  return permission === undefined || permission.has('child');
}

/** How a chaincode server process ended. */
export interface ChaincodeExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** SIGXCPU or SIGKILL after it: the CPU limit stopped it. */
  cpuLimit: boolean;
  at: number;
}

export interface ChaincodeServiceOptions {
  /** For logs: the app and version. */
  name: string;
  packageDir: string;
  /** 127.0.0.1:<port>, as the package's connection.json names it. */
  address: string;
  packageId: string;
  limits: ChaincodeLimits;
  /** Where the process's stdout and stderr go (appended). */
  logFile: string;
  logger: Logger;
}

const RESTART_MIN_MS = 250;
const RESTART_MAX_MS = 5_000;

function portOpen(address: string): Promise<boolean> {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * One app version's chaincode server, confined (chaincode-confinement.ts) and supervised: a
 * process that ends while the service runs — a crash, or the kernel at its CPU limit — is
 * started again after a back-off (250 ms doubling to 5 s, reset once it has run a minute), and
 * its exit is kept (`exits`) for whoever asks why. Each server is its own process group, so
 * `stop` ends whatever it started.
 */
export class ChaincodeService {
  private child: ChildProcess | undefined;
  private stopping = false;
  private backoff = RESTART_MIN_MS;
  private restartTimer: NodeJS.Timeout | undefined;
  readonly exits: ChaincodeExit[] = [];
  /** Processes started so far (1 + restarts). */
  starts = 0;

  constructor(readonly o: ChaincodeServiceOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  private spawnOnce(): void {
    if (!processesAllowed()) {
      throw new UnavailableError(
        "this node runs the Fabric plugin confined without the child-process grant: it cannot start chaincode servers for apps that bring their own chaincode (the plugin's manifest declares it; allow it in the node config: plugins[].isolation.allow: [child-process])",
        { stage: 'validate', detail: { framework: FRAMEWORK } },
      );
    }
    const { command, args, env } = chaincodeCommand(this.o);
    const out = openSync(this.o.logFile, 'a');
    const startedAt = Date.now();
    let child: ChildProcess;
    try {
      child = spawn(command, args, { cwd: this.o.packageDir, env, detached: true, stdio: ['ignore', out, out] });
    } finally {
      closeSync(out);
    }
    this.child = child;
    this.starts++;
    child.once('exit', (code, signal) => {
      const cpuLimit = signal === 'SIGXCPU' || (signal === 'SIGKILL' && !this.stopping);
      this.exits.push({ code, signal, cpuLimit, at: Date.now() });
      if (this.stopping || this.child !== child) return;
      this.o.logger.warn('custom chaincode server ended; restarting', {
        chaincode: this.o.name,
        code,
        signal,
        cpuLimit,
        restartInMs: this.backoff,
      });
      if (Date.now() - startedAt > 60_000) this.backoff = RESTART_MIN_MS;
      this.restartTimer = setTimeout(() => {
        this.restartTimer = undefined;
        if (!this.stopping) this.spawnOnce();
      }, this.backoff);
      this.backoff = Math.min(this.backoff * 2, RESTART_MAX_MS);
    });
  }

  /** Starts the server and waits until it listens; rejects with its output if it ends first or `timeoutMs` passes. */
  async start(timeoutMs = 30_000): Promise<void> {
    this.stopping = false;
    const before = this.exits.length;
    this.spawnOnce();
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exits.length > before) break;
      if (await portOpen(this.o.address)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await this.stop();
    const exit = this.exits[before];
    throw new Error(
      exit
        ? `the chaincode server ended at start (${exit.signal ?? `exit code ${exit.code}`}): ${this.logTail()}`
        : `the chaincode server did not listen on ${this.o.address} within ${timeoutMs} ms: ${this.logTail()}`,
    );
  }

  /**
   * Whether the server still runs `ms` after it listened: a chaincode whose contracts throw
   * when the shim instantiates them ends right after it bound its port.
   */
  async settled(ms: number): Promise<void> {
    const before = this.exits.length;
    await new Promise((resolve) => setTimeout(resolve, ms));
    if (this.exits.length > before || !this.running) {
      const exit = this.exits[before];
      await this.stop();
      throw new Error(
        `the chaincode server ended right after it started (${exit?.signal ?? `exit code ${exit?.code}`}): ${this.logTail()}`,
      );
    }
  }

  /** The last lines of the server's output (for errors). */
  logTail(bytes = 2_000): string {
    try {
      const size = statSync(this.o.logFile).size;
      const text = readFileSync(this.o.logFile, 'utf8');
      return text.slice(Math.max(0, size - bytes)).trim();
    } catch {
      return '(no output)';
    }
  }

  /** Ends the server's process group (SIGTERM, SIGKILL after 2 s) and stops restarting it. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const kill = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // gone already
      }
    };
    kill('SIGTERM');
    const timer = setTimeout(() => kill('SIGKILL'), 2_000);
    await exited;
    clearTimeout(timer);
  }
}
