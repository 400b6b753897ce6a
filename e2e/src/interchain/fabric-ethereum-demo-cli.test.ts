/**
 * `bsn interchain demo` as a user runs it — the built CLI in a child process, in a scratch root
 * under the repo's cache holding only the Ethereum and Fabric adapters (so it certifies them as on
 * a fresh clone, into the scratch .bsn/): it ends with the summary line, numbers real, and leaves
 * no process behind; interrupted with SIGINT while certifying or while starting the nodes, it stops
 * what it started and fails.
 * Every process descending from the CLI is recorded from /proc while it runs and checked gone after.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { presetDevnet } from '@bsn/adapter-fabric/devnets';
import { ROOT, e2eSkipReason } from '../__fixtures__/ethereum-e2e.js';
import { hasProc, leftBehind as stillAlive, watchDescendants, type Proc } from '../__fixtures__/process-tree.js';

const CLI = join(ROOT, 'core', 'cli', 'dist', 'main.js');

async function skipReason(): Promise<string | undefined> {
  if (!hasProc()) return 'no /proc to find the processes the demo starts';
  const skip = await e2eSkipReason();
  if (skip) return skip;
  if (!existsSync(join(ROOT, 'core', 'cli', 'dist', 'interchain-demo', 'command.js'))) return 'the CLI is not built';
  const fabric = await presetDevnet().available();
  return fabric.ok ? undefined : `the Fabric devnet is unavailable: ${fabric.reason}`;
}

const skip = await skipReason();
if (skip) console.warn(`bsn interchain demo e2e skipped: ${skip}`);

interface DemoRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Every process seen descending from the CLI while it ran. */
  seen: Proc[];
}

/** Runs the demo; `interrupt` sends SIGINT once stderr matches it. */
function runDemo(root: string, args: string[], interrupt?: RegExp): Promise<DemoRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'interchain', 'demo', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    const watch = watchDescendants(child);
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (interrupt && !interrupted && interrupt.test(stderr)) {
        interrupted = true;
        watch.record();
        child.kill('SIGINT');
      }
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      resolve({ code, signal, stdout, stderr, seen: watch.stop() });
    });
  });
}

/** Processes of the run still alive a few seconds after it ended (none expected). */
const leftBehind = (run: DemoRun): Promise<Proc[]> => stillAlive(run.seen);

describe.skipIf(skip !== undefined)('bsn interchain demo, run as a user runs it', () => {
  let root: string;

  beforeAll(() => {
    mkdirSync(join(ROOT, '.cache'), { recursive: true });
    root = mkdtempSync(join(ROOT, '.cache', 'interchain-demo-'));
    for (const a of ['ethereum', 'fabric'])
      cpSync(join(ROOT, 'adapters', a), join(root, 'adapters', a), {
        recursive: true,
        filter: (p) => !p.includes('node_modules') && !p.endsWith('.tsbuildinfo'),
      });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('Ctrl-C while it certifies the plugins (a conformance run on its own anvil): nothing left running, a failing exit', async () => {
    const run = await runDemo(root, [], /anvil is up/);
    expect(run.stderr).toMatch(/SIGINT while certifying: stopping/);
    expect(run.code).not.toBe(0);
    expect(run.seen.map((p) => p.command)).toContain('anvil');
    expect(await leftBehind(run)).toEqual([]);
  }, 300_000);

  test('certifies both plugins, sends 3 calls both ways and ends with the summary line; nothing is left running', async () => {
    const started = Date.now();
    const run = await runDemo(root, ['--calls', '3']);
    console.info(`interchain demo e2e: the demo took ${Date.now() - started} ms (certifying both plugins included)`);
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines.at(-1)).toBe('interchain demo: 3 calls, 3 delivered once, 0 lost, 0 duplicated');
    // Each call's steps, both directions.
    for (const n of [1, 2, 3]) {
      expect(run.stdout).toMatch(new RegExp(`\\[call ${n}\\] .* sent, seq \\d+, tx \\S+`));
      expect(run.stdout).toMatch(new RegExp(`\\[call ${n}\\] delivered on local-(anvil|fabric), tx \\S+ \\(seen \\d+ ms after sending\\)`));
      expect(run.stdout).toMatch(new RegExp(`\\[call ${n}\\] acknowledged on local-(anvil|fabric), tx \\S+, ack OK`));
      expect(run.stdout).toMatch(new RegExp(`\\[call ${n}\\] on local-\\w+: executed 1 time; on local-\\w+: acknowledged`));
    }
    expect(run.stdout).toMatch(/\[call 1\] ic-fabric@local-fabric → ic-ethereum@local-anvil/);
    expect(run.stdout).toMatch(/\[call 2\] ic-ethereum@local-anvil → ic-fabric@local-fabric/);
    // It started chain nodes of its own (anvil, the Fabric peers and orderer), and none outlives it.
    expect(run.seen.map((p) => p.command)).toEqual(expect.arrayContaining(['anvil', 'peer', 'orderer']));
    expect(await leftBehind(run)).toEqual([]);
    expect(existsSync(/registries in (\S+) \(removed at the end\)/.exec(run.stderr)![1]!)).toBe(false);
  }, 900_000);

  test('Ctrl-C while the nodes start: everything it started is stopped, no summary, a failing exit', async () => {
    const run = await runDemo(root, [], /node-1 up at/);
    expect(run.stderr).toMatch(/SIGINT: stopping everything the demo started/);
    expect(run.code).not.toBe(0);
    expect(run.stdout).not.toMatch(/interchain demo:/);
    expect(run.seen.map((p) => p.command)).toEqual(expect.arrayContaining(['anvil', 'peer', 'orderer']));
    expect(await leftBehind(run)).toEqual([]);
    // Its nodes' data folder is gone too, though node 2 was still starting when the interrupt came.
    const folder = /registries in (\S+) \(removed at the end\)/.exec(run.stderr)?.[1];
    expect(folder, 'the demo names its data folder').toBeDefined();
    expect(existsSync(folder!)).toBe(false);
  }, 300_000);
});
