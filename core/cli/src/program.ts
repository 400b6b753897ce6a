/**
 * The `bsn` command line, built fresh for each run so tests can drive it in-process with
 * captured output (`runCli(argv, io)`); `main.ts` is the executable.
 */
import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { isBsnError } from '@bsn/contract';
import { PluginRefusedError } from '@bsn/plugin-host';
import { registerCertifierCommands } from './certifier-commands.js';
import { registerIdentityCommands } from './identity-commands.js';
// The city node commands (`bsn node start`, `bsn node sign`).
import { registerNodeCommands } from './node-commands.js';
import { CliExit, EXIT, processIo, type CliIo } from './io.js';
import { registerPluginCommands } from './plugin-commands.js';
import { registerConformanceCommand } from './conformance-command.js';
import { registerAdapterCommands } from './adapter-commands.js';
import { registerLogCommands } from './log-commands.js';
import { registerInterchainCommands } from './interchain-commands.js';
import { registerAppCommands } from './app-commands.js';

const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

export const EXIT_CODES_HELP = `
Exit codes:
  0  success (for verify: the plugin is accepted)
  1  runtime error (unreadable file, wrong passphrase, network…)
  2  usage error (unknown command or option, missing or malformed argument)
  3  refused / verification failed (plugin refused, report not certifiable)

Environment:
  BSN_PASSPHRASE   passphrase for keystore files (or --passphrase-file <file>);
                   bsn prompts only when stdin is a terminal, never in CI
`;

/** Builds the `bsn` program, writing through `io`. Commander's own errors are thrown, not exited. */
export function buildProgram(io: CliIo): Command {
  const program = new Command('bsn');
  program
    .description('BSN: framework adapter plugins, their certification, identities and the city node')
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
      outputError: (text, write) => write(text),
    })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXIT_CODES_HELP);

  registerPluginCommands(program, io);
  registerCertifierCommands(program, io);
  registerIdentityCommands(program, io);
  registerNodeCommands(program, io);
  registerConformanceCommand(program);
  registerAdapterCommands(program, io);
  registerLogCommands(program, io);
  registerInterchainCommands(program, io);
  registerAppCommands(program, io);
  return program;
}

/** Maps an error to an exit code and prints it. */
function exitCodeFor(err: unknown, io: CliIo): number {
  if (err instanceof CommanderError) {
    // --help and --version end through here with exitCode 0; a command group called without
    // a subcommand shows its help as an error (exitCode 1), which is a usage error too.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT.ok;
    if (err.code === 'commander.help' || err.code === 'commander.executeSubCommandAsync') return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    return EXIT.usage; // commander already printed the message
  }
  if (err instanceof CliExit) {
    const prefix = err.exitCode !== EXIT.refused && !err.message.startsWith('error:') ? 'error: ' : '';
    if (err.message) io.stderr(`${prefix}${err.message}\n`);
    return err.exitCode;
  }
  if (err instanceof PluginRefusedError) {
    io.stderr(`refused (${err.reason}): ${err.message}\n`);
    return EXIT.refused;
  }
  if (isBsnError(err)) {
    io.stderr(`error: ${err.message}\n`);
    return EXIT.runtime;
  }
  io.stderr(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  if (io.env['BSN_DEBUG'] && err instanceof Error && err.stack) io.stderr(`${err.stack}\n`);
  return EXIT.runtime;
}

/** Runs `bsn` with user arguments (no node/script prefix); resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    return exitCodeFor(err, io);
  }
}
