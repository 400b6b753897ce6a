// With `npm run mutation -- <adapter> --shared-devnet`, starts the run's devnet once per
// Stryker test runner (vitest keeps its global setup alive across mutants): a Fabric network
// takes a minute to start, a case a few seconds. Each mutant then connects a fresh, mutated
// adapter to it; cases name their apps uniquely. Not the default: a chain that runs out of
// something over hundreds of runs (an Ethereum dev account's funds) fails every later mutant,
// and those failures would count as kills.
import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import type { NetworkConfig, StartedDevnet } from '@bsn/contract';
import { loadDevnetProvider } from '@bsn/plugin-host';

declare module 'vitest' {
  export interface ProvidedContext {
    mutationNetwork: NetworkConfig | undefined;
  }
}

let devnet: StartedDevnet | undefined;

export async function setup(project: TestProject): Promise<void> {
  if (process.env['BSN_MUTATION_SHARED_DEVNET'] !== '1') {
    project.provide('mutationNetwork', undefined);
    return;
  }
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
