import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('untilStopped', () => {
  it('ends a command whose parent exited without passing a signal on (as npx does)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bsn-until-stopped-'));
    dirs.push(dir);
    const io = pathToFileURL(join(import.meta.dirname, '..', 'dist', 'io.js')).href;
    // The command: serves (an interval stands for the server), stops when untilStopped says, writes why.
    await writeFile(
      join(dir, 'command.mjs'),
      `import { writeFileSync } from 'node:fs';
import { untilStopped } from ${JSON.stringify(io)};
writeFileSync(${JSON.stringify(join(dir, 'pid'))}, String(process.pid));
const serving = setInterval(() => {}, 1000);
const why = await untilStopped();
clearInterval(serving);
writeFileSync(${JSON.stringify(join(dir, 'why'))}, why);
`,
    );
    // Its parent: starts it detached from its own fate, then exits at once.
    await writeFile(
      join(dir, 'parent.mjs'),
      `import { spawn } from 'node:child_process';
const child = spawn(process.execPath, [${JSON.stringify(join(dir, 'command.mjs'))}], { stdio: 'ignore' });
setTimeout(() => process.exit(0), 500);
`,
    );
    await new Promise((resolve) => spawn(process.execPath, [join(dir, 'parent.mjs')], { stdio: 'ignore' }).on('exit', resolve));
    const pid = Number(await readFile(join(dir, 'pid'), 'utf8'));
    const deadline = Date.now() + 10_000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (alive(pid)) process.kill(pid, 'SIGKILL');
    expect(await readFile(join(dir, 'why'), 'utf8')).toMatch(/^parent process \d+ exited$/);
  });
});

describe('processIo', () => {
  it('ends quietly when the reader closes the pipe early (bsn --help | head -1)', async () => {
    const main = join(import.meta.dirname, '..', 'dist', 'main.js');
    const child = spawn(process.execPath, [main, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the reader went away before reading anything
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(code).toBe(0);
  });
});
