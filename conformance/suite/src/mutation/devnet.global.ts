// Starts the mutation run's devnet once per Stryker test runner (vitest keeps its global setup
// alive across mutants): a Fabric network takes a minute to start, a case a few seconds. Each
// mutant then connects a fresh, mutated adapter to it; cases name their apps uniquely, so the
// state left by earlier mutants does not meet later ones.
import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import type { NetworkConfig, StartedDevnet } from '@bsn/contract';
import { loadDevnetProvider } from '@bsn/plugin-host';

declare module 'vitest' {
  export interface ProvidedContext {
    mutationNetwork: NetworkConfig;
  }
}

let devnet: StartedDevnet | undefined;

export async function setup(project: TestProject): Promise<void> {
  const adapterDir = resolve(process.env['BSN_MUTATION_ADAPTER'] ?? 'adapters/ethereum');
  const target = process.env['BSN_MUTATION_TARGET'] ?? 'anvil';
  const make = (await loadDevnetProvider(adapterDir))?.devnets[target];
  if (!make) throw new Error(`${adapterDir} contributes no devnet ${target}`);
  devnet = await make().start();
  project.provide('mutationNetwork', JSON.parse(JSON.stringify(devnet.network)) as NetworkConfig);
}

export async function teardown(): Promise<void> {
  await devnet?.stop();
}
