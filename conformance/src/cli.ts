#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { runConformance } from './runner/run.js';
import { TargetUnavailableError } from './runner/target.js';
import { DEVNETS } from './devnets/registry.js';

/** Adds `conformance run` to a program: used by `bsn conformance` and by the `bsn-conformance` bin. */
export function registerConformanceCommands(program: Command): void {
  const conformance = program.command('conformance').description('run the adapter conformance suite');
  conformance
    .command('run')
    .description('run every case against one adapter on one chain target; writes conformance-report.json and .md')
    .requiredOption('--adapter <path|package>', 'plugin folder or installed package name')
    .requiredOption('--target <name|config>', `devnet (${Object.keys(DEVNETS).join(', ')}) or a network config file`)
    .option('--out <dir>', 'where to write the report', '.')
    .option('--only <ids>', 'comma-separated case ids to run (default: all)')
    .addHelpText('after', '\nExit codes: 0 verdict pass, 1 error, 3 verdict fail, 4 target unavailable (reason printed).')
    .action(async (opts: { adapter: string; target: string; out: string; only?: string }) => {
      try {
        const { report } = await runConformance({
          adapter: opts.adapter,
          target: opts.target,
          outDir: opts.out,
          only: opts.only ? opts.only.split(',').map((s) => s.trim()).filter(Boolean) : [],
        });
        process.exitCode = report.verdict === 'pass' ? 0 : 3;
      } catch (error) {
        if (error instanceof TargetUnavailableError) {
          process.stderr.write(`skipped: ${error.message}\n`);
          process.exitCode = 4;
          return;
        }
        throw error;
      }
    });
}

async function main(): Promise<void> {
  const program = new Command('bsn-conformance').exitOverride();
  registerConformanceCommands(program);
  try {
    await program.parseAsync(['node', 'bsn-conformance', ...process.argv.slice(2)]);
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) void main();
