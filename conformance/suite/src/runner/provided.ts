import type { NetworkConfig } from '@bsn/contract';

/** What the runner process hands the vitest worker that runs the cases (must be JSON). */
export interface ConformanceRunInput {
  /** Absolute folder of the plugin under test. */
  pluginDir: string;
  network: NetworkConfig;
  /** Run only these case ids (all when empty). */
  only: string[];
  dataDir: string;
}

declare module 'vitest' {
  interface ProvidedContext {
    bsnConformance: ConformanceRunInput;
  }
}
