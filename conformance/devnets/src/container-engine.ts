import type { Availability } from '@bsn/contract';

let engineProbe: Promise<Availability> | undefined;

/** Asks testcontainers whether a Docker-compatible engine answers; the answer is cached per process. */
export function containerEngine(): Promise<Availability> {
  engineProbe ??= (async (): Promise<Availability> => {
    try {
      const { getContainerRuntimeClient } = await import('testcontainers');
      const client = await getContainerRuntimeClient();
      return client ? { ok: true } : { ok: false, reason: 'no container engine' };
    } catch (error) {
      const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
      return { ok: false, reason: `no container engine (${why})` };
    }
  })();
  return engineProbe;
}

/** testcontainers, loaded only when a container devnet starts (devnets depend on it through here). */
export function loadTestcontainers(): Promise<typeof import('testcontainers')> {
  return import('testcontainers');
}
