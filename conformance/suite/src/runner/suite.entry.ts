// The vitest test file the runner executes: one vitest test per conformance case, against
// the adapter and chain target the runner provides. Not picked up by `npm test` directly.
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { PluginHost, loadDevnetProvider } from '@bsn/plugin-host';
import { type Adapter } from '@bsn/contract';
import { ALL_CASES } from '../cases/index.js';
import { createContext, type SuiteContext } from '../context.js';
import './provided.js';

const input = inject('bsnConformance');
const cases = input.only.length ? ALL_CASES.filter((c) => input.only.includes(c.id)) : ALL_CASES;

let adapter: Adapter | undefined;
let ctx: SuiteContext | undefined;

describe('conformance', () => {
  beforeAll(async () => {
    const host = new PluginHost({ trustedCertifiers: [], dev: true, logger: quietLogger });
    const plugin = await host.load(input.pluginDir);
    adapter = await plugin.factory.connect(input.network, { logger: quietLogger, dataDir: input.dataDir });
    // The target's own reader of the chain, from the plugin's devnets module (not the adapter).
    const provider = await loadDevnetProvider(input.pluginDir);
    const chain = provider?.reader?.(input.network);
    process.stderr.write(
      chain
        ? `chain facts checked through ${chain.source}\n`
        : 'no chain reader for this target: chain facts are not checked independently\n',
    );
    const tokenSample = provider?.tokenSample?.bind(provider);
    ctx = await createContext(adapter, plugin.manifest, input.network, chain, provider?.operator?.(input.network), tokenSample);
  });

  afterAll(async () => {
    await ctx?.chain?.close?.();
    await adapter?.close();
  });

  for (const c of cases) {
    it(`${c.id} ${c.title}`, async (t) => {
      t.task.meta.caseId = c.id;
      if (!ctx) throw new Error('the adapter did not connect (see the first failure)');
      if (!ctx.description.capabilities.includes(c.capability)) {
        t.skip(`the adapter does not claim capability ${c.capability}`);
        return;
      }
      await c.run(ctx);
    });
  }
});

// The warning about loading an uncertified plugin is expected here: certification comes after.
const quietLogger = {
  debug() {},
  info() {},
  warn() {},
  error(message: string) {
    process.stderr.write(`${message}\n`);
  },
};

declare module 'vitest' {
  interface TaskMeta {
    caseId?: string;
  }
}
