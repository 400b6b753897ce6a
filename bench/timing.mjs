// Timing and CPU accounting shared by the gateway benches (TypeScript) and their load worker
// (plain JS: a worker thread does not inherit the tsx loader on Node 20).
import { readFileSync } from 'node:fs';

/**
 * CPU ms all cores have spent busy since boot (Linux /proc/stat: user nice system irq softirq
 * steal; idle and iowait left out), or undefined elsewhere. The chain's nodes, the load
 * generator and the city node share the machine, and this is the budget they share.
 */
function machineCpuMs() {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
    return ((f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/**
 * CPU ms the main thread has used (Linux: /proc/self/task/<pid>/stat, the main thread's own
 * utime + stime, 10 ms ticks). Event-loop utilisation would count the time the thread sits
 * preempted inside a callback, which on two busy cores is a lot.
 */
export function mainThreadCpuMs() {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/**
 * Runs `op(0…n-1)` with `concurrency` in flight (`slot` says which of them runs the op): each
 * latency, the rate, and the machine's CPU per operation over exactly this timed phase.
 */
export async function timed(n, concurrency, op) {
  const lat = [];
  let next = 0;
  const machineBefore = machineCpuMs();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, slot) => {
      for (let i = next++; i < n; i = next++) {
        const t = performance.now();
        await op(i, slot);
        lat.push(performance.now() - t);
      }
    }),
  );
  const rate = (n / (performance.now() - start)) * 1000;
  const machineAfter = machineCpuMs();
  return { lat, rate, ...(machineBefore !== undefined && machineAfter !== undefined && { machineMs: (machineAfter - machineBefore) / n }) };
}
