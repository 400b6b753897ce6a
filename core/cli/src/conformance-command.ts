import type { Command } from 'commander';
import { conformanceKit } from './conformance-kit.js';
import { CliExit } from './io.js';

export function registerConformanceCommand(program: Command): void {
  program
    .command('conformance')
    .description('run the adapter conformance suite (`bsn conformance run --help`); needs @bsn/conformance installed')
    .argument('[args...]', 'passed to the conformance kit')
    .allowUnknownOption()
    .helpOption(false)
    .action(async (args: string[]) => {
      const kit = await conformanceKit();
      const code = await kit.runConformanceCli(args.length ? args : ['--help']);
      if (code !== 0) throw new CliExit(code, '');
    });
}
