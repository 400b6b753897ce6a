/**
 * What the `bsn` commands need from the outside world, injectable so tests run the CLI
 * in-process; and the exit-code convention every command follows.
 */
import { readFile } from 'node:fs/promises';

/** Exit codes of `bsn`. */
export const EXIT = {
  ok: 0,
  /** Something went wrong while doing the work (I/O, network, a wrong passphrase…). */
  runtime: 1,
  /** The command line was wrong: unknown command or option, missing or malformed argument. */
  usage: 2,
  /** A verification failed or a plugin/report was refused. */
  refused: 3,
} as const;

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Whether stdin is an interactive terminal; `bsn` never prompts otherwise. */
  stdinIsTTY: boolean;
  /** Asks for a secret without echoing it (only called when `stdinIsTTY`). */
  promptSecret(question: string): Promise<string>;
}

/** Thrown by command actions to end with a given exit code and message (printed to stderr). */
export class CliExit extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'CliExit';
  }
}

export const usageError = (message: string): CliExit => new CliExit(EXIT.usage, message);
export const refusedExit = (message: string): CliExit => new CliExit(EXIT.refused, message);

async function promptHidden(question: string): Promise<string> {
  const { createInterface } = await import('node:readline');
  const { Writable } = await import('node:stream');
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (!muted) process.stderr.write(chunk);
      callback();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  process.stderr.write(question);
  muted = true;
  try {
    return await new Promise<string>((resolve) => rl.question('', resolve));
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}

export function processIo(): CliIo {
  // A reader that stops early (`bsn --help | head`) closes the pipe: that ends the output, not
  // the program with an unhandled EPIPE.
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.listenerCount('error') === 0) {
      stream.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EPIPE') throw error;
      });
    }
  }
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    stdinIsTTY: process.stdin.isTTY === true,
    promptSecret: promptHidden,
  };
}

/**
 * The passphrase for a keystore: `--passphrase-file` (one trailing newline stripped), else
 * `BSN_PASSPHRASE`, else a prompt when stdin is a terminal (twice when `confirm`); never
 * a prompt otherwise — a usage error instead, since CI has no one to answer.
 */
export async function readPassphrase(
  io: CliIo,
  passphraseFile: string | undefined,
  options: { confirm?: boolean; what?: string } = {},
): Promise<string> {
  const what = options.what ?? 'keystore';
  let passphrase: string | undefined;
  if (passphraseFile) {
    try {
      passphrase = (await readFile(passphraseFile, 'utf8')).replace(/\r?\n$/, '');
    } catch (err) {
      throw usageError(`cannot read --passphrase-file ${passphraseFile}: ${(err as Error).message}`);
    }
    if (!passphrase) throw usageError(`--passphrase-file ${passphraseFile} is empty`);
    return passphrase;
  }
  passphrase = io.env['BSN_PASSPHRASE'];
  if (passphrase) return passphrase;
  if (!io.stdinIsTTY) {
    throw usageError(
      `no passphrase for the ${what}: set BSN_PASSPHRASE or pass --passphrase-file <file> (stdin is not a terminal, so bsn does not prompt)`,
    );
  }
  passphrase = await io.promptSecret(`Passphrase for the ${what}: `);
  if (!passphrase) throw usageError('an empty passphrase is not allowed');
  if (options.confirm) {
    const again = await io.promptSecret('Repeat the passphrase: ');
    if (again !== passphrase) throw usageError('the passphrases do not match');
  }
  return passphrase;
}

/**
 * Resolves, naming why, when a long-running command should stop: SIGINT, SIGTERM, SIGHUP, or
 * the process that started it going away. The last matters under `npx`, which does not pass a
 * signal on to the command it runs: `npx bsn log serve & … kill %1` ends npx, and the command,
 * re-parented, notices within a second instead of running on unseen with its devnets and ports.
 */
export function untilStopped(): Promise<string> {
  return new Promise((resolveStop) => {
    const parent = process.ppid;
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    const handlers = signals.map((signal) => [signal, () => done(signal)] as const);
    const watch = setInterval(() => {
      if (process.ppid !== parent) done(`parent process ${parent} exited`);
    }, 1000);
    watch.unref();
    function done(why: string): void {
      clearInterval(watch);
      for (const [signal, handler] of handlers) process.off(signal, handler);
      resolveStop(why);
    }
    for (const [signal, handler] of handlers) process.on(signal, handler);
  });
}
