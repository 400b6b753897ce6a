/**
 * A city node in a process of its own (`bsn node start --config`), so a test can kill it -9 and
 * start it again on the same data folder and port; `dieAtAck` makes it kill itself -9 between a
 * packet's delivery on the target and its ack on the source (die-at-ack.mjs).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from '../../__fixtures__/ethereum-e2e.js';

const HERE = dirname(fileURLToPath(import.meta.url));

export interface NodeProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /** SIGKILL: no drain, no goodbye; resolves once the process is gone. */
  kill9(): Promise<void>;
  /** Resolves once the process has exited, by whatever cause: the signal that ended it, if any. */
  exited: Promise<NodeJS.Signals | null>;
  /** SIGTERM, and waits for the exit. */
  stop(): Promise<void>;
}

export async function startNodeProcess(
  config: Record<string, unknown>,
  file: string,
  restPort: number,
  passphrase: string,
  options: { dieAtAck?: boolean } = {},
): Promise<NodeProcess> {
  // JSON is YAML: the config the test built, as written.
  await writeFile(file, JSON.stringify(config, null, 2));
  let output = '';
  const preload = options.dieAtAck ? ['--import', join(HERE, 'die-at-ack.mjs')] : [];
  const child = spawn(process.execPath, [...preload, join(ROOT, 'core/cli/dist/main.js'), 'node', 'start', '--config', file], {
    env: { ...process.env, BSN_NODE_PASSPHRASE: passphrase },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  const url = `http://127.0.0.1:${restPort}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    const ok = await fetch(`${url}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the node did not become ready:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    child,
    exited,
    output: () => output,
    async kill9() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
