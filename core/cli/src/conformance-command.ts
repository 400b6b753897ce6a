import type { Command } from 'commander';
import { CliExit, EXIT } from './io.js';

// Core must not depend on the conformance kit (the dependency runs the other way), so the
// kit is found at run time, by package name, only when someone asks for it.
const KIT = '@bsn/conformance/cli';

interface ConformanceKit {
  runConformanceCli(args: string[]): Promise<number>;
}

export function registerConformanceCommand(program: Command): void {
  program
    .command('conformance')
    .description('run the adapter conformance suite (`bsn conformance run --help`); needs @bsn/conformance installed')
    .argument('[args...]', 'passed to the conformance kit')
    .allowUnknownOption()
    .helpOption(false)
    .action(async (args: string[]) => {
      let kit: ConformanceKit;
      try {
        kit = (await import(KIT)) as ConformanceKit;
      } catch (error) {
        throw new CliExit(
          EXIT.runtime,
          `the conformance kit is not installed (${KIT}): ${error instanceof Error ? error.message.split('\n')[0] : error}`,
        );
      }
      const code = await kit.runConformanceCli(args.length ? args : ['--help']);
      if (code !== 0) throw new CliExit(code, '');
    });
}
