/**
 * Metering per app: transactions (and TPS over a window), reads, storage written and
 * bandwidth in/out. Counters are persisted in the registry (so they survive restarts and
 * add up across node instances) and exposed as Prometheus metrics; TPS is this instance's
 * rate over the configured window.
 */
import { Counter, Gauge, Histogram, Registry as PromRegistry, collectDefaultMetrics } from 'prom-client';
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
  private pending: { deltas: Map<string, Required<UsageDelta>>; done: Promise<void> } | undefined;

  constructor(private readonly registry: Registry, private readonly windowMs: number, private readonly now: () => number = Date.now) {
    const reg = this.prometheus;
    collectDefaultMetrics({ register: reg });
    this.txs = new Counter({ name: 'bsn_app_transactions_total', help: 'Committed write transactions per app', labelNames: ['app'], registers: [reg] });
    this.reads = new Counter({ name: 'bsn_app_reads_total', help: 'Reads served per app', labelNames: ['app'], registers: [reg] });
    this.storage = new Counter({ name: 'bsn_app_storage_written_bytes_total', help: 'Key and value bytes written per app', labelNames: ['app'], registers: [reg] });
    this.bytesIn = new Counter({ name: 'bsn_app_bandwidth_in_bytes_total', help: 'Request bytes received per app', labelNames: ['app'], registers: [reg] });
    this.bytesOut = new Counter({ name: 'bsn_app_bandwidth_out_bytes_total', help: 'Response bytes sent per app', labelNames: ['app'], registers: [reg] });
    this.requests = new Histogram({
      name: 'bsn_gateway_request_seconds', help: 'Gateway request latency', labelNames: ['api', 'route', 'status'], registers: [reg],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    });
    const self = this;
    this.tps = new Gauge({
      name: 'bsn_app_tps', help: 'Transactions per second per app over the metering window (this instance)', labelNames: ['app'], registers: [reg],
      collect() {
        this.reset();
        for (const app of self.txTimes.keys()) this.set({ app }, self.tpsOf(app));
      },
    });
    this.apps = new Gauge({ name: 'bsn_apps_registered', help: 'Apps in the registry', registers: [reg] });
  }

  /** Records usage; the registry write is awaited so counters are exact. */
  async record(app: string, delta: UsageDelta): Promise<void> {
    if (delta.txs) {
      this.txs.inc({ app }, delta.txs);
      let times = this.txTimes.get(app);
      if (!times) this.txTimes.set(app, (times = []));
      for (let i = 0; i < delta.txs; i++) times.push(this.now());
      this.trim(times);
    }
    if (delta.reads) this.reads.inc({ app }, delta.reads);
    if (delta.storageBytes) this.storage.inc({ app }, delta.storageBytes);
    if (delta.bytesIn) this.bytesIn.inc({ app }, delta.bytesIn);
    if (delta.bytesOut) this.bytesOut.inc({ app }, delta.bytesOut);
    await this.persist(app, delta);
  }

  /**
   * Deltas recorded in one event-loop turn are summed per app and written as one registry
   * update (a request records its reads, then its bandwidth: two updates per request
   * otherwise); each caller still waits for the write that holds its delta.
   */
  private persist(app: string, delta: UsageDelta): Promise<void> {
    if (!this.pending) {
      const batch = { deltas: new Map<string, Required<UsageDelta>>(), done: undefined as unknown as Promise<void> };
      batch.done = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
        if (this.pending === batch) this.pending = undefined;
        await Promise.all([...batch.deltas].map(([a, d]) => this.registry.addUsage(a, d)));
      });
      this.pending = batch;
    }
    const sum = this.pending.deltas.get(app) ?? { txs: 0, reads: 0, storageBytes: 0, bytesIn: 0, bytesOut: 0 };
    sum.txs += delta.txs ?? 0;
    sum.reads += delta.reads ?? 0;
    sum.storageBytes += delta.storageBytes ?? 0;
    sum.bytesIn += delta.bytesIn ?? 0;
    sum.bytesOut += delta.bytesOut ?? 0;
    this.pending.deltas.set(app, sum);
    return this.pending.done;
  }

  private trim(times: number[]): void {
    const cutoff = this.now() - this.windowMs;
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

  async usage(app: string): Promise<AppUsage> {
    return { ...(await this.registry.usage(app)), tps: this.tpsOf(app), windowMs: this.windowMs };
  }

  async metrics(): Promise<{ contentType: string; body: string }> {
    this.apps.set(await this.registry.countApps());
    return { contentType: this.prometheus.contentType, body: await this.prometheus.metrics() };
  }
}
