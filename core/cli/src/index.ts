export { buildProgram, runCli, EXIT_CODES_HELP } from './program.js';
export { CliExit, EXIT, processIo, type CliIo } from './io.js';
export {
  startDemoFleet,
  FABRIC_CHAIN,
  ANVIL_CHAIN,
  type DemoFleet,
  type DemoChain,
  type DemoFleetOptions,
} from './interchain-demo/fleet.js';
export { createGrantedApps, DEMO_APPS, summaryLine, type DemoSummary } from './interchain-demo/calls.js';
