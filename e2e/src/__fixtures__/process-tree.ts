/**
 * The processes a CLI run started, as /proc shows them: recorded while it runs (chain nodes
 * leave its tree once orphaned, so they must be seen before) and checked gone after.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';

/** A process as /proc names it: pid and start time (so a reused pid is not mistaken for it). */
export interface Proc {
  pid: number;
  start: string;
  command: string;
}

export const hasProc = (): boolean => existsSync('/proc/self/stat');

function stat(pid: number): { ppid: number; state: string; start: string; command: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const command = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0]!, ppid: Number(fields[1]), start: fields[19]!, command };
  } catch {
    return undefined;
  }
}

/** Every live descendant of `root` now. */
export function descendants(root: number): Proc[] {
  const children = new Map<number, number[]>();
  const all = new Map<number, NonNullable<ReturnType<typeof stat>>>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = stat(Number(name));
    if (!s) continue;
    all.set(Number(name), s);
    children.set(s.ppid, [...(children.get(s.ppid) ?? []), Number(name)]);
  }
  const out: Proc[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length) {
    const pid = queue.shift()!;
    const s = all.get(pid)!;
    out.push({ pid, start: s.start, command: s.command });
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

export const alive = (p: Proc): boolean => {
  const s = stat(p.pid);
  return s !== undefined && s.start === p.start && s.state !== 'Z';
};

/** Records `child`'s descendants every 250 ms (and on `record()`) until `stop()`. */
export function watchDescendants(child: ChildProcess): { record(): void; stop(): Proc[] } {
  const seen = new Map<string, Proc>();
  const record = () => {
    if (child.pid !== undefined) for (const p of descendants(child.pid)) seen.set(`${p.pid}/${p.start}`, p);
  };
  const poll = setInterval(record, 250);
  return {
    record,
    stop: () => {
      clearInterval(poll);
      return [...seen.values()];
    },
  };
}

/** Processes of `seen` still alive a few seconds after the run ended (none expected); killed then. */
export async function leftBehind(seen: Proc[]): Promise<Proc[]> {
  const end = Date.now() + 5000;
  let left = seen.filter(alive);
  while (left.length && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 250));
    left = left.filter(alive);
  }
  for (const p of left)
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      /* gone meanwhile */
    }
  return left;
}

/**
 * Live processes whose command line mentions `text` (a scratch folder given to the run as its
 * TMPDIR, say): finds a chain node the run started even when it came and was orphaned between polls.
 */
export function processesMentioning(text: string): Proc[] {
  const out: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    const s = stat(Number(name));
    if (s && s.state !== 'Z' && cmdline.includes(text)) out.push({ pid: Number(name), start: s.start, command: s.command });
  }
  return out;
}
