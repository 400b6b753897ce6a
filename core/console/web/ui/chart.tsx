/**
 * Usage charts over the time the page has been open: transactions (cumulative) and TPS in one
 * small SVG, storage written and bandwidth (in + out) in a second. Drawn here rather than with
 * a chart library: a few polylines are all it takes, and the page stays small. Each line is
 * scaled to its own maximum; the captions and the pictures' labels say the latest values, so
 * the charts read without the picture too.
 */
import { bytes } from './format.js';

export interface UsagePoint {
  t: number;
  txs: number;
  tps: number;
  storageBytes: number;
  /** Bytes in plus bytes out. */
  bandwidth: number;
}

export interface UsageLike {
  txs: number;
  tps: number;
  storageBytes: number;
  bytesIn: number;
  bytesOut: number;
}

export const pointOf = (t: number, u: UsageLike): UsagePoint => ({
  t,
  txs: u.txs,
  tps: u.tps,
  storageBytes: u.storageBytes,
  bandwidth: u.bytesIn + u.bytesOut,
});

const W = 300;
const H = 80;

function line(points: UsagePoint[], value: (p: UsagePoint) => number): string {
  const t0 = points[0]?.t ?? 0;
  const span = Math.max(1, (points[points.length - 1]?.t ?? 0) - t0);
  const max = Math.max(1e-9, ...points.map(value));
  return points
    .map((p) => `${(((p.t - t0) / span) * (W - 4) + 2).toFixed(1)},${(H - 2 - (value(p) / max) * (H - 8)).toFixed(1)}`)
    .join(' ');
}

const seconds = (points: UsagePoint[]) =>
  points.length < 2 ? 0 : Math.round(((points[points.length - 1]?.t ?? 0) - (points[0]?.t ?? 0)) / 1000);

export function UsageChart({ title, series, points }: { title: string; series: string; points: UsagePoint[] }) {
  const last = points[points.length - 1] ?? { t: 0, txs: 0, tps: 0, storageBytes: 0, bandwidth: 0 };
  const over = `over the last ${seconds(points)} s (${points.length} samples)`;
  return (
    <figure class="chart" data-series={series}>
      <svg
        class="chart"
        viewBox={`0 0 ${W} ${H}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`${title}: ${last.txs} transactions, ${last.tps.toFixed(2)} TPS now, ${over}`}
        data-last-txs={last.txs}
        data-samples={points.length}
      >
        <polyline class="txs" points={line(points, (p) => p.txs)} />
        <polyline class="tps" points={line(points, (p) => p.tps)} />
      </svg>
      <svg
        class="io"
        viewBox={`0 0 ${W} ${H}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`${title}: ${bytes(last.storageBytes)} stored, ${bytes(last.bandwidth)} of bandwidth, ${over}`}
        data-last-storage={last.storageBytes}
        data-last-bandwidth={last.bandwidth}
      >
        <polyline class="storage" points={line(points, (p) => p.storageBytes)} />
        <polyline class="bandwidth" points={line(points, (p) => p.bandwidth)} />
      </svg>
      <figcaption>
        {title}, {over}: <span class="key txs">transactions</span> (up to {last.txs}) and <span class="key tps">TPS</span> (now{' '}
        {last.tps.toFixed(2)}); <span class="key storage">storage</span> ({bytes(last.storageBytes)}) and{' '}
        <span class="key bandwidth">bandwidth in + out</span> ({bytes(last.bandwidth)}).
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
