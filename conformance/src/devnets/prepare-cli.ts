#!/usr/bin/env node
// Run by scripts/bootstrap.mjs before tests, benchmarks and `npm start`: builds the chain
// binaries the process devnets need into .cache/chains, once. Missing Go is not an error
// here: those devnets report themselves unavailable and their checks skip with the reason.
import { ensureGoBinary, goVersion } from './go-build.js';
import { GETH } from './geth.js';

const say = (message: string) => process.stderr.write(`[devnets] ${message}\n`);

async function main(): Promise<void> {
  if (!goVersion()) {
    say('Go is not installed: geth will not be built and its checks will be skipped.');
    return;
  }
  await ensureGoBinary(GETH, say);
}

main().catch((error: unknown) => {
  say(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
