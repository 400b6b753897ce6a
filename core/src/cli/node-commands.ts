/**
 * PLACEHOLDER — the lead replaces this file with the city node commands (`bsn node start`
 * and friends). Until then `bsn node start` says the node is not built yet and exits 1.
 */
import type { Command } from 'commander';
import { CliExit, EXIT } from './io.js';

export function registerNodeCommands(program: Command): void {
  const node = program.command('node').description('run a BSN city node');
  node
    .command('start')
    .description('start a city node (not built yet)')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      throw new CliExit(EXIT.runtime, 'bsn node start: the city node is not built yet');
    });
}
