#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { runConformance } from './runner/run.js';
import { TargetUnavailableError, UnknownTargetError } from './runner/target.js';

export const CONFORMANCE_EXIT = { pass: 0, error: 1, usage: 2, fail: 3, unavailable: 4 } as const;

function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('bsn conformance').exitOverride();
  program.description('run the adapter conformance suite');
  program
    .command('run')
    .description('run every case against one adapter on one chain target; writes conformance-report.json and .md')
    .requiredOption('--adapter <path|package>', 'plugin folder or installed package name')
    .requiredOption(
      '--target <name|config>',
      "a devnet the adapter contributes (its manifest's `devnets`, e.g. anvil) or a network config file",
    )
    .option('--out <dir>', 'where to write the report', '.')
    .option('--only <ids>', 'comma-separated case ids to run (default: all)')
    .addHelpText('after', '\nExit codes: 0 verdict pass, 1 error, 2 usage, 3 verdict fail, 4 target unavailable (reason printed).')
    .action(async (opts: { adapter: string; target: string; out: string; only?: string }) => {
      const { report } = await runConformance({
        adapter: opts.adapter,
        target: opts.target,
        outDir: opts.out,
        only: opts.only
          ? opts.only
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : [],
      });
      setExit(report.verdict === 'pass' ? CONFORMANCE_EXIT.pass : CONFORMANCE_EXIT.fail);
    });
  return program;
}

/** Runs `conformance <args>`; resolves to the exit code. Used by `bsn conformance` and the bin. */
export async function runConformanceCli(args: string[]): Promise<number> {
  let code: number = CONFORMANCE_EXIT.pass;
  try {
    await buildProgram((c) => (code = c)).parseAsync(args, { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.exitCode === 0 ? 0 : CONFORMANCE_EXIT.usage;
    }
    if (error instanceof UnknownTargetError) {
      process.stderr.write(`error: ${error.message}\n`);
      return CONFORMANCE_EXIT.usage;
    }
    if (error instanceof TargetUnavailableError) {
      process.stderr.write(`skipped: ${error.message}\n`);
      return CONFORMANCE_EXIT.unavailable;
    }
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return CONFORMANCE_EXIT.error;
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  runConformanceCli(process.argv.slice(2)).then((code) => process.exit(code));
}
