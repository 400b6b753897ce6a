/** Latencies and rate of one timed phase, and the machine's CPU per operation during it (ms). */
export interface Run {
  lat: number[];
  rate: number;
  machineMs?: number;
}
export function mainThreadCpuMs(): number | undefined;
export function timed(n: number, concurrency: number, op: (i: number, slot: number) => Promise<unknown>): Promise<Run>;
