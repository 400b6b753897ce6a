/**
 * The conformance kit, found at run time by package name: core must not depend on it (the
 * dependency runs the other way), so commands that need it load it only when asked.
 */
import type { ConformanceReport, SuiteCatalog } from '@bsn/plugin-host';
import { CliExit, EXIT } from './io.js';

export interface ConformanceKit {
  runConformanceCli(args: string[]): Promise<number>;
  runConformance(options: { adapter: string; target: string; outDir: string; print?: (line: string) => void }): Promise<{
    report: ConformanceReport;
    jsonPath: string;
  }>;
  suiteCatalog(): Promise<SuiteCatalog>;
}

const KIT = '@bsn/conformance';

export async function conformanceKit(): Promise<ConformanceKit> {
  try {
    return (await import(KIT)) as ConformanceKit;
  } catch (error) {
    throw new CliExit(
      EXIT.runtime,
      `the conformance kit is not installed (${KIT}): ${error instanceof Error ? error.message.split('\n')[0] : error}`,
    );
  }
}
