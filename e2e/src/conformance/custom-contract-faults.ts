import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeVariantPlugin } from './variant-plugin.js';

/**
 * Seeded faults in the lifecycle of apps that bring their own contract, written over any built
 * adapter claiming lifecycle.custom-contract (nothing framework-specific: each wraps the
 * adapter's lifecycle the way a sloppy implementation would), with the case that must fail.
 */
export const CUSTOM_CONTRACT_FAULTS = {
  // An upgrade signed with the key that created the app, whoever asks: a node that upgrades
  // with the app's hosted admin key and never checks the caller.
  'upgrade-by-anyone': { catches: ['CC-007'] },
  // A failed upgrade answered as done (the app as it stands): the caller believes version 2 serves.
  'upgrade-failure-hidden': { catches: ['CC-005'] },
} as const satisfies Record<string, { catches: readonly string[] }>;
export type CustomContractFault = keyof typeof CUSTOM_CONTRACT_FAULTS;

const BREAK: Record<CustomContractFault, string> = {
  'upgrade-by-anyone': `
  const creators = new Map();
  lifecycle.create = async (spec, admin) => {
    const app = await adapter.lifecycle.create(spec, admin);
    creators.set(app.appId, admin);
    return app;
  };
  lifecycle.upgrade = (app, contract, signer) => adapter.lifecycle.upgrade(app, contract, creators.get(app.appId) ?? signer);`,
  'upgrade-failure-hidden': `
  lifecycle.upgrade = async (app, contract, signer) => {
    try { return await adapter.lifecycle.upgrade(app, contract, signer); } catch (error) {
      if (error && error.code === 'REJECTED_BY_CHAIN') return adapter.lifecycle.get(app);
      throw error;
    }
  };`,
};

function entry(dist: string, fault: CustomContractFault): string {
  return `// Seeded fault: ${fault} (custom-contract lifecycle)
import factory from '${dist}/index.js';
export default {
  async connect(network, context) {
    const adapter = await factory.connect(network, context);
    const lifecycle = Object.create(adapter.lifecycle);${BREAK[fault]}
    return {
      describe: () => adapter.describe(), identity: adapter.identity, gateway: adapter.gateway, kv: adapter.kv,
      interchain: adapter.interchain, lifecycle, close: () => adapter.close(),
    };
  },
};
`;
}

/** Writes the variant of the built adapter in `adapterDir` into `dir` (a plugin folder) and returns it. */
export function writeCustomContractFaultPlugin(fault: CustomContractFault, adapterDir: string, dir: string): string {
  const dist = pathToFileURL(join(adapterDir, 'dist')).href;
  return writeVariantPlugin(adapterDir, dir, fault, entry(dist, fault), dist);
}
