import { defineConfig } from 'vitest/config';

/** `npm run mutation` (scripts/mutation.mjs): the conformance suite as Stryker's killer. */
export default defineConfig({
  test: {
    include: ['conformance/suite/src/mutation/conformance.mutation.ts'],
    root: process.cwd(),
    globalSetup: ['conformance/suite/src/mutation/devnet.global.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 300_000,
  },
});
