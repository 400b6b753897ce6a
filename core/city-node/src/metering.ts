/**
 * Metering per app: transactions (and TPS over a window), reads, storage written and
 * bandwidth in/out. Counters are persisted in the registry (so they survive restarts and
 * add up across node instances) and exposed as Prometheus metrics; TPS is this instance's
 * rate over the configured window. Transactions and storage are counted by the registry in
 * the commit that stores each receipt; reads and bandwidth are written behind, every
 * `flushMs` (see `flush`), so instances see each other's counts within that time.
 */
import { Counter, Gauge, Histogram, Registry as PromRegistry, collectDefaultMetrics } from 'prom-client';
import type { Logger } from '@bsn/contract';
import type { Registry, Usage, UsageDelta } from './registry/registry.js';

export interface AppUsage extends Usage {
  /** Transactions per second over the window, on this node instance. */
  tps: number;
  windowMs: number;
}

export class Metering {
  readonly prometheus = new PromRegistry();
  private readonly txTimes = new Map<string, number[]>();
  private readonly txs: Counter<'app'>;
  private readonly reads: Counter<'app'>;
  private readonly storage: Counter<'app'>;
  private readonly bytesIn: Counter<'app'>;
  private readonly bytesOut: Counter<'app'>;
  readonly requests: Histogram<'api' | 'route' | 'status'>;
  private readonly tps: Gauge<'app'>;
  readonly apps: Gauge;
  private pending = new Map<string, Required<UsageDelta>>();
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly flushMs: number;
  private readonly log: Logger | undefined;

  constructor(
    private readonly registry: Registry,
    private readonly windowMs: number,
    options: { flushMs?: number; logger?: Logger } = {},
  ) {
    this.flushMs = options.flushMs ?? 200;
    this.log = options.logger;
    const reg = this.prometheus;
    collectDefaultMetrics({ register: reg });
    this.txs = new Counter({
      name: 'bsn_app_transactions_total',
      help: 'Committed write transactions per app',
      labelNames: ['app'],
      registers: [reg],
    });
    this.reads = new Counter({ name: 'bsn_app_reads_total', help: 'Reads served per app', labelNames: ['app'], registers: [reg] });
    this.storage = new Counter({
      name: 'bsn_app_storage_written_bytes_total',
      help: 'Key and value bytes written per app',
      labelNames: ['app'],
      registers: [reg],
    });
    this.bytesIn = new Counter({
      name: 'bsn_app_bandwidth_in_bytes_total',
      help: 'Request bytes received per app',
      labelNames: ['app'],
      registers: [reg],
    });
    this.bytesOut = new Counter({
      name: 'bsn_app_bandwidth_out_bytes_total',
      help: 'Response bytes sent per app',
      labelNames: ['app'],
      registers: [reg],
    });
    this.requests = new Histogram({
      name: 'bsn_gateway_request_seconds',
      help: 'Gateway request latency',
      labelNames: ['api', 'route', 'status'],
      registers: [reg],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    });
    const self = this;
    this.tps = new Gauge({
      name: 'bsn_app_tps',
      help: 'Transactions per second per app over the metering window (this instance)',
      labelNames: ['app'],
      registers: [reg],
      collect() {
        this.reset();
        for (const app of self.txTimes.keys()) this.set({ app }, self.tpsOf(app));
      },
    });
    this.apps = new Gauge({ name: 'bsn_apps_registered', help: 'Apps in the registry', registers: [reg] });
  }

  /**
   * A write committed and its receipt stored: the registry counted it in the receipt's own
   * commit (see `Registry.putReceipt`); here only this instance's rate and Prometheus.
   */
  committed(app: string, storageBytes: number): void {
    this.txs.inc({ app });
    if (storageBytes) this.storage.inc({ app }, storageBytes);
    let times = this.txTimes.get(app);
    if (!times) this.txTimes.set(app, (times = []));
    times.push(Date.now());
    this.trim(times);
  }

  /**
   * Counts reads and bandwidth: Prometheus at once, the registry within `flushMs` (see
   * `flush`). Never waits and never fails: a request's answer does not depend on its accounting.
   */
  record(app: string, delta: Omit<UsageDelta, 'txs' | 'storageBytes'>): void {
    if (delta.reads) this.reads.inc({ app }, delta.reads);
    if (delta.bytesIn) this.bytesIn.inc({ app }, delta.bytesIn);
    if (delta.bytesOut) this.bytesOut.inc({ app }, delta.bytesOut);
    addInto(this.pending, app, delta);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch((err: unknown) =>
        this.log?.warn('usage not written to the registry; kept for the next flush', { error: (err as Error).message }),
      );
    }, this.flushMs);
    this.timer.unref();
  }

  /**
   * Writes the usage counted so far, one registry update per app. Counting every request
   * into the registry as it happened cost each request its own commit (most of the
   * registry's time per read); written behind, a killed node loses at most the last
   * `flushMs` of counts — never a write, a receipt or a nonce. A failed update keeps its
   * deltas for the next flush (and rejects). Flushes run one at a time.
   */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing.catch(() => undefined);
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const write = (async () => {
      const entries = [...batch];
      const results = await Promise.allSettled(entries.map(([app, d]) => this.registry.addUsage(app, d)));
      const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [{ entry: entries[i]!, reason: r.reason as unknown }] : []));
      for (const {
        entry: [app, d],
      } of failed)
        addInto(this.pending, app, d);
      if (failed.length) {
        // Retried without waiting for a next request: an idle node would otherwise sit on them.
        this.scheduleFlush();
        throw failed[0]!.reason;
      }
    })();
    this.flushing = write.finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  /** Stops the flush timer and writes what is left. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private trim(times: number[]): void {
    const cutoff = Date.now() - this.windowMs;
    let i = 0;
    while (i < times.length && times[i]! < cutoff) i++;
    if (i) times.splice(0, i);
  }

  tpsOf(app: string): number {
    const times = this.txTimes.get(app);
    if (!times) return 0;
    this.trim(times);
    return times.length / (this.windowMs / 1000);
  }

  /** The app's usage in the registry, this instance's latest counts included (flushed first). */
  async usage(app: string): Promise<AppUsage> {
    await this.flush();
    return { ...(await this.registry.usage(app)), tps: this.tpsOf(app), windowMs: this.windowMs };
  }

  /** Every app's usage (as `usage`), in one registry read: what the operator page polls. */
  async allUsage(): Promise<AppUsage[]> {
    await this.flush();
    return (await this.registry.allUsage()).map((u) => ({ ...u, tps: this.tpsOf(u.app), windowMs: this.windowMs }));
  }

  async metrics(): Promise<{ contentType: string; body: string }> {
    this.apps.set(await this.registry.countApps());
    return { contentType: this.prometheus.contentType, body: await this.prometheus.metrics() };
  }
}

function addInto(sums: Map<string, Required<UsageDelta>>, app: string, delta: UsageDelta): void {
  let sum = sums.get(app);
  if (!sum) sums.set(app, (sum = { txs: 0, reads: 0, storageBytes: 0, bytesIn: 0, bytesOut: 0 }));
  sum.txs += delta.txs ?? 0;
  sum.reads += delta.reads ?? 0;
  sum.storageBytes += delta.storageBytes ?? 0;
  sum.bytesIn += delta.bytesIn ?? 0;
  sum.bytesOut += delta.bytesOut ?? 0;
}
