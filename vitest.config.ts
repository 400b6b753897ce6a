import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Tests run the workspace packages from source; a plugin loaded from its folder runs its dist/. */
const PACKAGES: Record<string, string> = {
  '@bsn/contract/testing': 'core/contract/src/testing/index.ts',
  '@bsn/contract': 'core/contract/src/index.ts',
  '@bsn/plugin-host/testing': 'core/plugin-host/src/testing/index.ts',
  '@bsn/plugin-host': 'core/plugin-host/src/index.ts',
  '@bsn/protocol': 'core/protocol/src/index.ts',
  '@bsn/client': 'core/client/src/index.ts',
  '@bsn/city-node/testing': 'core/city-node/src/testing/index.ts',
  '@bsn/city-node': 'core/city-node/src/index.ts',
  '@bsn/cli': 'core/cli/src/index.ts',
  '@bsn/devnets': 'conformance/devnets/src/index.ts',
  '@bsn/conformance': 'conformance/suite/src/index.ts',
  '@bsn/adapter-ethereum/devnets': 'adapters/ethereum/src/devnets/index.ts',
  '@bsn/adapter-ethereum': 'adapters/ethereum/src/index.ts',
  '@bsn/adapter-fabric/devnets': 'adapters/fabric/src/devnets/index.ts',
  '@bsn/adapter-fabric': 'adapters/fabric/src/index.ts',
};

/**
 * Files that spend minutes waiting for blocks on clocks (whole conformance runs on -final
 * targets, Leap's irreversibility) or for CLI children, with their CPU mostly idle: they run
 * first, two at a time, and everything else after them one file at a time (two cores; most
 * other files keep the CPU busy). One after another these took about 21 of CI's minutes.
 */
const WAITING = [
  'e2e/src/conformance/certification.test.ts',
  'e2e/src/city-node/eos-quickstart-e2e.test.ts',
  'e2e/src/interchain/fabric-ethereum-demo-cli.test.ts',
  'e2e/src/conformance/certify-cli.test.ts',
  'e2e/src/conformance/faults.test.ts',
  'e2e/src/conformance/eos-faults.test.ts',
];

export default defineConfig({
  resolve: {
    alias: Object.entries(PACKAGES).map(([name, path]) => ({ find: new RegExp(`^${name}$`), replacement: src(path) })),
  },
  test: {
    exclude: ['**/node_modules/**', '**/dist/**', '**/__fixtures__/**'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 180_000,
    projects: [
      {
        extends: true,
        test: { name: 'waiting', include: WAITING, maxWorkers: 2, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: {
          name: 'busy',
          include: [
            'core/*/src/**/*.test.ts',
            'adapters/*/src/**/*.test.ts',
            'conformance/*/src/**/*.test.ts',
            'e2e/src/**/*.test.ts',
            'bench/**/*.test.ts',
          ],
          exclude: ['**/node_modules/**', '**/dist/**', '**/__fixtures__/**', ...WAITING],
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
