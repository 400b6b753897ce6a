// CPU ms all cores have spent busy since boot (Linux /proc/stat: user nice system irq softirq
// steal; idle and iowait left out), or undefined elsewhere. Shared by the gateway benches and
// their load worker, which reads it around its own timed phase: the chain's nodes, the load
// generator and the city node share the machine, and this is the budget they share.
import { readFileSync } from 'node:fs';

export function machineCpuMs() {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
    return ((f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) * 1000) / 100;
  } catch {
    return undefined;
  }
}
