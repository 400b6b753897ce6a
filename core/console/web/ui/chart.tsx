/**
 * A usage chart: transactions (cumulative) and TPS over the time the page has been open, as
 * two lines in one small SVG. Drawn here rather than with a chart library: two polylines are
 * all it takes, and the page stays small. Readable without the picture: the figure's label
 * says the latest values.
 */
export interface UsagePoint {
  t: number;
  txs: number;
  tps: number;
}

const W = 300;
const H = 80;

function line(points: UsagePoint[], value: (p: UsagePoint) => number): string {
  const t0 = points[0]?.t ?? 0;
  const span = Math.max(1, (points[points.length - 1]?.t ?? 0) - t0);
  const max = Math.max(1e-9, ...points.map(value));
  return points.map((p) => `${(((p.t - t0) / span) * (W - 4) + 2).toFixed(1)},${(H - 2 - (value(p) / max) * (H - 8)).toFixed(1)}`).join(' ');
}

export function UsageChart({ title, points }: { title: string; points: UsagePoint[] }) {
  const last = points[points.length - 1] ?? { t: 0, txs: 0, tps: 0 };
  const label = `${title}: ${last.txs} transactions, ${last.tps.toFixed(2)} TPS now, over ${points.length} samples`;
  return (
    <figure class="chart">
      <svg class="chart" viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label={label} data-last-txs={last.txs} data-samples={points.length}>
        <polyline class="txs" points={line(points, (p) => p.txs)} />
        <polyline class="tps" points={line(points, (p) => p.tps)} />
      </svg>
      <figcaption>
        {title}: transactions (blue, up to {last.txs}) and TPS (amber, now {last.tps.toFixed(2)})
      </figcaption>
    </figure>
  );
}

/** Appends a sample to a series kept across polls (bounded: the last 120). */
export function record(series: Map<string, UsagePoint[]>, key: string, point: UsagePoint): UsagePoint[] {
  const list = series.get(key) ?? [];
  if (list[list.length - 1]?.t !== point.t) list.push(point);
  if (list.length > 120) list.splice(0, list.length - 120);
  series.set(key, list);
  return list;
}
