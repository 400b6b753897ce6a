/**
 * A city node in a process of its own (`bsn node start --config`), so a test can kill it -9 and
 * start it again on the same data folder and port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from '../../__fixtures__/ethereum-e2e.js';

export interface NodeProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /** SIGKILL: no drain, no goodbye; resolves once the process is gone. */
  kill9(): Promise<void>;
  /** SIGTERM, and waits for the exit. */
  stop(): Promise<void>;
}

export async function startNodeProcess(
  config: Record<string, unknown>,
  file: string,
  restPort: number,
  passphrase: string,
): Promise<NodeProcess> {
  // JSON is YAML: the config the test built, as written.
  await writeFile(file, JSON.stringify(config, null, 2));
  let output = '';
  const child = spawn(process.execPath, [join(ROOT, 'core/cli/dist/main.js'), 'node', 'start', '--config', file], {
    env: { ...process.env, BSN_NODE_PASSPHRASE: passphrase },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
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
