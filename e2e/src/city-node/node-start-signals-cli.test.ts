/**
 * `npm start` (`bsn node start`, the quickstart) interrupted as a user interrupts it — the built CLI
 * in a child process, in a scratch root under the repo's cache holding only the Ethereum adapter:
 * SIGINT, SIGTERM or SIGHUP while it certifies the plugin, while the node starts its devnet and
 * once it is up stops every process it started and ends with the documented code (128 + the
 * signal before the node is up, 0 for a clean stop of a running node).
 * Every process descending from the CLI is recorded from /proc while it runs and checked gone after;
 * so is any process naming the run's own TMPDIR (the devnets' data folders are made there), which
 * finds a chain node started and orphaned between two polls.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROOT, e2eSkipReason } from '../__fixtures__/ethereum-e2e.js';
import { hasProc, leftBehind, processesMentioning, watchDescendants, type Proc } from '../__fixtures__/process-tree.js';

const CLI = join(ROOT, 'core', 'cli', 'dist', 'main.js');

async function skipReason(): Promise<string | undefined> {
  if (!hasProc()) return 'no /proc to find the processes the node starts';
  const skip = await e2eSkipReason();
  if (skip) return skip;
  return existsSync(join(ROOT, 'core', 'cli', 'dist', 'teardown.js')) ? undefined : 'the CLI is not built (core/cli/dist)';
}

const skip = await skipReason();
if (skip) console.warn(`bsn node start signal e2e skipped: ${skip}`);

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  seen: Proc[];
}

/**
 * Runs `bsn node start` on free ports; sends `signal` once its output matches `when` — to the
 * node alone, or with `group` to its whole process group, as a terminal's Ctrl-C does.
 */
function startNode(root: string, signal: NodeJS.Signals, when: RegExp, group = false): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'node', 'start', '--rest-port', '0', '--grpc-port', '0'], {
      cwd: root,
      env: { ...process.env, TMPDIR: join(root, 'tmp') },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: group,
    });
    const watch = watchDescendants(child);
    let stdout = '';
    let stderr = '';
    let sent = false;
    const check = () => {
      if (sent || !when.test(stdout + stderr)) return;
      sent = true;
      watch.record();
      if (group) process.kill(-child.pid!, signal);
      else child.kill(signal);
    };
    child.stdout!.on('data', (d: Buffer) => ((stdout += d.toString()), check()));
    child.stderr!.on('data', (d: Buffer) => ((stderr += d.toString()), check()));
    child.once('error', reject);
    child.once('exit', (code, sig) => {
      const seen = watch.stop();
      // Checked by leftBehind (killed if alive), like those seen descending from it.
      for (const p of processesMentioning(join(root, 'tmp'))) if (!seen.some((q) => q.pid === p.pid && q.start === p.start)) seen.push(p);
      resolve({ code, signal: sig, stdout, stderr, seen });
    });
  });
}

describe.skipIf(skip !== undefined)('bsn node start (npm start) interrupted by a signal', () => {
  let root: string;

  beforeAll(() => {
    mkdirSync(join(ROOT, '.cache'), { recursive: true });
    root = mkdtempSync(join(ROOT, '.cache', 'node-start-signals-'));
    mkdirSync(join(root, 'tmp'));
    cpSync(join(ROOT, 'adapters', 'ethereum'), join(root, 'adapters', 'ethereum'), {
      recursive: true,
      filter: (p) => !p.includes('node_modules') && !p.endsWith('.tsbuildinfo'),
    });
  });
  afterAll(async () => {
    // A safety net should a run end in an error before its check of what it left.
    await leftBehind(processesMentioning(root));
    rmSync(root, { recursive: true, force: true });
  });

  test('SIGINT while it certifies the plugin (the conformance run on its own anvil): exit 130, nothing left running', async () => {
    const run = await startNode(root, 'SIGINT', /anvil is up/);
    const left = await leftBehind(run.seen);
    expect(run.stderr).toMatch(/running the conformance suite on anvil/);
    expect(run.code, run.stderr.slice(-2000)).toBe(130);
    expect(run.seen.map((p) => p.command)).toContain('anvil');
    expect(left).toEqual([]);
  }, 120_000);

  test('Ctrl-C (SIGINT to the process group) once the node is up: a clean stop, exit 0, no plugin crash logged, its devnet and plugin process gone', async () => {
    // Certificates of the repository's own quickstart are reused when it has them; else this run certifies (~1 min).
    const bsn = join(ROOT, '.bsn');
    const reuse = ['node-passphrase', 'certifier.json', 'certifier.pub.json', 'certificates/ethereum.json'];
    if (reuse.every((f) => existsSync(join(bsn, f)))) for (const f of reuse) cpSync(join(bsn, f), join(root, '.bsn', f));
    const started = Date.now();
    const run = await startNode(root, 'SIGINT', /City node \S+ is up\./, true);
    const left = await leftBehind(run.seen);
    console.info(`node start signals e2e: up and stopped in ${Date.now() - started} ms`);
    expect(run.stderr).toMatch(/\[node\] SIGINT: stopping/);
    // The plugin's process heard the Ctrl-C too: it leaves stopping to the node (no crash, no restart).
    expect(run.stdout + run.stderr).not.toMatch(/its process was killed by SIGINT|restarting in/);
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    expect(run.seen.map((p) => p.command)).toEqual(expect.arrayContaining(['anvil', 'node']));
    expect(left).toEqual([]);
  }, 300_000);

  test('SIGTERM while the node starts, its devnet up and the adapter connecting: exit 143, nothing left running', async () => {
    const run = await startNode(root, 'SIGTERM', /network local-anvil: anvil\S* up/);
    const left = await leftBehind(run.seen);
    expect(run.stderr).toMatch(/SIGTERM while the node starts: stopping what it started/);
    expect(run.stdout).not.toMatch(/is up\./);
    expect(run.code, run.stderr.slice(-2000)).toBe(143);
    expect(run.seen.map((p) => p.command)).toContain('anvil');
    expect(left).toEqual([]);
  }, 120_000);

  test('SIGHUP as the node starts its devnet: exit 129, nothing left running', async () => {
    const run = await startNode(root, 'SIGHUP', /starting devnet anvil/);
    const left = await leftBehind(run.seen);
    expect(run.stderr).toMatch(/SIGHUP while the node starts/);
    expect(run.code, run.stderr.slice(-2000)).toBe(129);
    expect(left).toEqual([]);
  }, 120_000);
});
