import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface NodeProcessOptions {
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  logFile: string;
}

/**
 * A chain node running as a child process of ours, in its own process group so that
 * stopping it also stops anything it spawned. Its output goes to `logFile` only.
 */
export class NodeProcess {
  readonly logFile: string;
  private readonly child: ChildProcess;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exited: Promise<void>;

  private constructor(options: NodeProcessOptions) {
    this.logFile = options.logFile;
    mkdirSync(dirname(options.logFile), { recursive: true });
    const log = createWriteStream(options.logFile, { flags: 'a' });
    this.child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.pipe(log, { end: false });
    this.child.stderr?.pipe(log, { end: false });
    // The log ends on 'close' (stdout and stderr drained), not on 'exit': output still in
    // the pipes when the process exits would otherwise be written after end, which throws.
    let logEnded = false;
    const endLog = () => {
      if (!logEnded) log.end();
      logEnded = true;
    };
    this.child.once('close', endLog);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve();
      });
      this.child.once('error', (error) => {
        this.exitInfo = { code: -1, signal: null };
        if (!logEnded) log.write(`spawn failed: ${error.message}\n`);
        endLog();
        resolve();
      });
    });
    liveProcesses.add(this);
  }

  static start(options: NodeProcessOptions): NodeProcess {
    return new NodeProcess(options);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Why the process is no longer running, or undefined while it runs. */
  get exit(): string | undefined {
    if (!this.exitInfo) return undefined;
    return this.exitInfo.signal ? `killed by ${this.exitInfo.signal}` : `exited with code ${this.exitInfo.code}`;
  }

  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(graceMs = 5_000): Promise<void> {
    liveProcesses.delete(this);
    if (this.exitInfo) return;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  private signal(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      try {
        this.child.kill(signal);
      } catch {
        /* already gone */
      }
    }
  }
}

// Never leave chain nodes behind when the test runner or CLI exits abruptly.
const liveProcesses = new Set<NodeProcess>();
process.once('exit', () => {
  for (const p of liveProcesses) {
    const pid = p.pid;
    if (pid !== undefined)
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* gone */
      }
  }
});
