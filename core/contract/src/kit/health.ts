import type { HealthReport } from '../contract/gateway.js';

/** What a health probe found, before its latency is measured. */
export type HealthProbe = Omit<HealthReport, 'latencyMs'>;

/**
 * Times `probe` and reports it; a probe that throws is an unhealthy report carrying the
 * error's message (health never throws: a node that cannot be reached is a finding).
 */
export async function timedHealth(
  probe: () => Promise<HealthProbe>,
  unreachable: { node: string; detail?: Record<string, unknown> },
): Promise<HealthReport> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  try {
    const report = await probe();
    return { ...report, latencyMs: latency() };
  } catch (error) {
    return {
      ok: false,
      height: 0,
      node: unreachable.node,
      latencyMs: latency(),
      detail: { ...unreachable.detail, error: error instanceof Error ? error.message : String(error) },
    };
  }
}
