import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { NetworkConfig, TargetKind } from '@bsn/contract';
import { loadDevnetProvider } from '@bsn/plugin-host';

/** A chain the suite runs against, started (devnet) or merely described (endpoint). */
export interface ResolvedTarget {
  name: string;
  kind: TargetKind;
  node: string;
  network: NetworkConfig;
  logFile?: string;
  stop(): Promise<void>;
}

export class TargetUnavailableError extends Error {}
export class UnknownTargetError extends Error {}

/**
 * `--target` is a devnet the plugin contributes (its manifest's `devnets` module: anvil, geth,
 * …) or a network config file (JSON/YAML) for an existing network:
 * `{ target: { kind: endpoint, node: "geth/v1.17" }, network: {...} }`.
 */
export async function resolveTarget(spec: string, pluginDir: string, progress: (line: string) => void): Promise<ResolvedTarget> {
  const devnets = (await loadDevnetProvider(pluginDir))?.devnets ?? {};
  const make = Object.hasOwn(devnets, spec) ? devnets[spec] : undefined;
  if (make) {
    const devnet = make();
    const availability = await devnet.available();
    if (!availability.ok) throw new TargetUnavailableError(`target ${spec} is unavailable: ${availability.reason}`);
    progress(`starting ${spec} (${devnet.kind})…`);
    const started = Date.now();
    const running = await devnet.start();
    progress(`${spec} is up: ${running.node} (${Date.now() - started} ms)`);
    return { ...running, stop: () => running.stop() };
  }
  let text: string;
  try {
    text = readFileSync(spec, 'utf8');
  } catch {
    throw new UnknownTargetError(
      `unknown target "${spec}": not a devnet of this adapter (${Object.keys(devnets).join(', ') || 'it contributes none'}) nor a readable network config file`,
    );
  }
  const doc = (spec.endsWith('.json') ? JSON.parse(text) : parseYaml(text)) as {
    target?: { kind?: TargetKind; node?: string };
    network?: NetworkConfig;
  };
  if (!doc.network || typeof doc.network.framework !== 'string') {
    throw new UnknownTargetError(`${spec}: a network config file needs a "network" object with "framework" and "name"`);
  }
  return {
    name: doc.network.name,
    kind: doc.target?.kind ?? 'endpoint',
    node: doc.target?.node ?? 'unknown',
    network: doc.network,
    stop: async () => {},
  };
}
