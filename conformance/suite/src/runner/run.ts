import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startVitest } from 'vitest/node';
import { CERTIFIABLE_KINDS, assertSchema, type DocumentSigningKey } from '@bsn/contract';
import { attestReport, computePluginDigest, readManifest, resolvePluginSource } from '@bsn/plugin-host';
import { suiteDigest } from '../catalog.js';
import { ALL_CASES } from '../cases/index.js';
import { ConformanceReporter } from './reporter.js';
import { buildReport, reportMarkdown, type ConformanceReport } from './report.js';
import { resolveTarget } from './target.js';
import type { ConformanceRunInput } from './provided.js';

export interface RunOptions {
  /** A plugin folder or an installed package name. */
  adapter: string;
  /** A devnet name or a network config file. */
  target: string;
  /** Where conformance-report.json and conformance-report.md go. */
  outDir: string;
  only?: string[];
  print?: (line: string) => void;
  /** Signs the report as this runner (see @bsn/plugin-host's attest.ts). */
  runner?: { key: DocumentSigningKey; name: string };
}

export interface RunResult {
  report: ConformanceReport;
  jsonPath: string;
  markdownPath: string;
}

const here = dirname(fileURLToPath(import.meta.url));

/** Runs the suite against one adapter on one chain target and writes the report. */
export async function runConformance(options: RunOptions): Promise<RunResult> {
  const print = options.print ?? ((line: string) => process.stderr.write(line + '\n'));
  const startedAt = new Date();
  const source = await resolvePluginSource(options.adapter);
  const manifest = await readManifest(source.folder);
  const { digest } = await computePluginDigest(source.folder, manifest.files);
  const plugin = { dir: source.folder, manifest, digest };
  print(`adapter ${manifest.name} ${manifest.version} (${manifest.framework}), digest ${digest}`);
  const only = options.only ?? [];
  const selected = ALL_CASES.filter((c) => !only.length || only.includes(c.id)).map((c) => c.id);
  const target = await resolveTarget(options.target, plugin.dir, print);
  const reporter = new ConformanceReporter(selected.length, print);
  try {
    if (target.network.framework !== plugin.manifest.framework) {
      throw new Error(`target ${target.name} is a ${target.network.framework} network but the adapter is for ${plugin.manifest.framework}`);
    }
    const input: ConformanceRunInput = {
      pluginDir: plugin.dir,
      network: target.network,
      only,
      dataDir: mkdtempSync(join(tmpdir(), 'bsn-conformance-')),
    };
    const entry = join(here, existsTs() ? 'suite.entry.ts' : 'suite.entry.js');
    const vitest = await startVitest('test', [], {
      config: false,
      watch: false,
      root: dirname(entry),
      dir: dirname(entry),
      include: [entry.split('/').pop()!],
      reporters: [reporter],
      provide: { bsnConformance: input },
      pool: 'forks',
      fileParallelism: false,
      testTimeout: 120_000,
      hookTimeout: 120_000,
      passWithNoTests: false,
    });
    await vitest.close();
  } catch (error) {
    reporter.setupErrors.push(error instanceof Error ? error.message : String(error));
    print(`run failed: ${reporter.setupErrors.at(-1)}`);
  } finally {
    await target.stop();
  }

  const built = buildReport({
    plugin: {
      name: plugin.manifest.name,
      version: plugin.manifest.version,
      framework: plugin.manifest.framework,
      digest: plugin.digest,
      capabilities: [...plugin.manifest.capabilities],
    },
    suiteDigest: await suiteDigest(),
    partial: only.length > 0,
    target,
    startedAt,
    outcomes: reporter.outcomes,
    selected,
    setupErrors: reporter.setupErrors,
  });
  const report = options.runner ? attestReport(built, options.runner.key, options.runner.name) : built;
  assertSchema<ConformanceReport>('conformance-report', report, 'conformance report');
  mkdirSync(options.outDir, { recursive: true });
  const jsonPath = resolve(options.outDir, 'conformance-report.json');
  const markdownPath = resolve(options.outDir, 'conformance-report.md');
  writeFileSync(jsonPath, JSON.stringify(report, null, 2) + '\n');
  writeFileSync(markdownPath, reportMarkdown(report));
  const s = report.summary;
  print(
    `verdict: ${report.verdict.toUpperCase()} — ${s.passed} passed, ${s.failed} failed (${s.mustFailed} MUST), ${s.skipped} skipped; report: ${jsonPath}`,
  );
  if (report.partial) print('note: a partial run (--only) is for its author: it cannot be certified');
  if (!CERTIFIABLE_KINDS.includes(report.target.kind)) {
    print(
      `note: ${report.target.name} is a ${report.target.kind} target, not a chain: this report cannot be certified (run on a devnet that starts a real node)`,
    );
  }
  return { report, jsonPath, markdownPath };
}

// Under vitest (the kit's own tests) the sources run directly; from dist, the compiled entry.
function existsTs(): boolean {
  return import.meta.url.endsWith('.ts');
}
