#!/usr/bin/env node
// Run by scripts/bootstrap.mjs before tests, benchmarks and `npm start`: builds the chain
// binaries the process devnets need into .cache/chains, once. Missing Go is not an error
// here: those devnets report themselves unavailable and their checks skip with the reason.
import { ensureGoBinary, goVersion } from './go-build.js';
import { GETH } from './geth.js';
import { prepareFabricBinaries } from './fabric/fabric-build.js';

const say = (message: string) => process.stderr.write(`[devnets] ${message}\n`);

async function main(): Promise<void> {
  if (!goVersion()) {
    say('Go is not installed: geth and Hyperledger Fabric will not be built and their checks will be skipped.');
    return;
  }
  await ensureGoBinary(GETH, say);
  await prepareFabricBinaries(say);
}

main().catch((error: unknown) => {
  say(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
