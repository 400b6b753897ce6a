// The test file Stryker runs for `npm run mutation`: every conformance case as a vitest test,
// against the adapter's TypeScript source (so each mutant is what runs) connected to one of its
// devnets (one per mutant, or one for all: devnet.global.ts), with the target's chain reader. Not part of `npm test` (a mutation run is long).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import type { Adapter, AdapterFactory, NetworkConfig, StartedDevnet } from '@bsn/contract';
import { loadDevnetProvider } from '@bsn/plugin-host';
import { ALL_CASES } from '../cases/index.js';
import { createContext, type SuiteContext } from '../context.js';

// Relative to the working directory: Stryker runs in its sandbox, where the mutants are.
const adapterDir = resolve(process.env['BSN_MUTATION_ADAPTER'] ?? 'adapters/ethereum');
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

let devnet: StartedDevnet | undefined;
let adapter: Adapter | undefined;
let ctx: SuiteContext | undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'bsn-mutation-'));

describe('conformance (mutation run)', () => {
  beforeAll(async () => {
    const provider = await loadDevnetProvider(adapterDir);
    // A fresh devnet per mutant, unless one is shared (devnet.global.ts)
    let network: NetworkConfig | undefined = inject('mutationNetwork');
    if (!network) {
      const target = process.env['BSN_MUTATION_TARGET'] ?? 'anvil';
      const make = provider?.devnets[target];
      if (!make) throw new Error(`${adapterDir} contributes no devnet ${target}`);
      devnet = await make().start();
      network = devnet.network;
    }
    const factory = (await import(pathToFileURL(join(adapterDir, 'src', 'index.ts')).href)).default as AdapterFactory;
    adapter = await factory.connect(network, { logger: quiet, dataDir });
    const manifest = JSON.parse(readFileSync(join(adapterDir, 'bsn-plugin.json'), 'utf8')) as SuiteContext['manifest'];
    ctx = await createContext(
      adapter,
      manifest,
      network,
      provider?.reader?.(network),
      provider?.operator?.(network),
      provider?.tokenSample?.bind(provider),
    );
  }, 300_000);

  afterAll(async () => {
    await ctx?.chain?.close?.();
    await adapter?.close();
    await devnet?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  for (const c of ALL_CASES) {
    it(`${c.id} ${c.title}`, async (t) => {
      if (!ctx) throw new Error('the adapter did not connect');
      if (!ctx.description.capabilities.includes(c.capability)) return t.skip();
      await c.run(ctx);
    }, 180_000);
  }
});
