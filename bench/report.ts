/** What every bench prints and how it sums up samples (scripts/bench.mjs reads the JSON lines). */

/** One result line: `{bench, metric, value, unit, ratio?, baseline?, goal?, goalOn?}`. */
export const emit = (r: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(r)}\n`);

/** The sample at rank `q` (0…1) of `xs`, no interpolation. */
export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

export const median = (xs: number[]) => quantile(xs, 0.5);

/** A logger for adapters and nodes under measurement: their logging is not what is measured. */
export const silent = { debug() {}, info() {}, warn() {}, error() {} };
