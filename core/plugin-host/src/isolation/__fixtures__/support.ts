/**
 * Shared by the isolation tests (not exported from the package): fixture plugin folders made
 * from the committed JS under `__fixtures__/`, a recording logger, and a check that no process
 * is left behind.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@bsn/contract';
import { makePluginFolder } from '../../testing/make-plugin.js';

export const FIXTURES = dirname(fileURLToPath(import.meta.url));

/** A plugin folder (package.json, manifest, entry) whose entry is `__fixtures__/<file>`. */
export async function fixturePlugin(parent: string, file: string, name: string): Promise<string> {
  const { folder } = await makePluginFolder({
    parent,
    name,
    entrySource: await readFile(join(FIXTURES, file), 'utf8'),
    manifest: { framework: 'memory' },
  });
  return folder;
}

export interface RecordingLogger extends Logger {
  lines: string[];
}

export function recordingLogger(echo = false): RecordingLogger {
  const lines: string[] = [];
  const add = (level: string) => (message: string) => {
    lines.push(`${level} ${message}`);
    if (echo) process.stderr.write(`${level} ${message}\n`);
  };
  return { lines, debug: () => {}, info: add('info'), warn: add('warn'), error: add('error') };
}

/** Whether a process with this pid exists. */
export function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves once `check` holds, polling; rejects after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
