export { buildProgram, runCli, EXIT_CODES_HELP } from './program.js';
export { CliExit, EXIT, processIo, type CliIo } from './io.js';
