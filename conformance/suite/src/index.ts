export { runConformance, type RunOptions, type RunResult } from './runner/run.js';
export { runConformanceCli, CONFORMANCE_EXIT } from './cli.js';
export { resolveTarget, TargetUnavailableError, UnknownTargetError, type ResolvedTarget } from './runner/target.js';
export { buildReport, reportMarkdown, type ConformanceReport } from './runner/report.js';
export { ALL_CASES } from './cases/index.js';
export { SUITE_NAME, SUITE_VERSION, REQUIRED_CAPABILITIES, type ConformanceCase, type Level } from './case.js';
export { suiteCatalog, suiteDigest } from './catalog.js';
