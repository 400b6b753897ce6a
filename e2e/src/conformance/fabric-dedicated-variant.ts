import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeVariantPlugin } from './variant-plugin.js';

/**
 * The Fabric adapter as the suite sees it when every app is on a channel of its own: a plugin
 * folder whose factory connects the built adapter unchanged and
 *  - creates every app `placement: 'dedicated'` (the suite asks for shared ones),
 *  - configures each new app's channel with the attesters the suite last pinned, as the operator
 *    who pinned them (the suite configures once, before it creates its apps, and knows one channel),
 *  - appends `{appId, channel}` of each app to the file `BSN_DEDICATED_LOG` names, for the caller
 *    to check on the chain.
 * Its devnets module is the adapter's, with a reader that also finds transactions on the channels
 * this run created (the adapter's reader knows the shared channel only); head and block stay the
 * shared channel's. Nothing of the adapter's own behaviour is changed.
 */
export function writeFabricDedicatedPlugin(adapterDir: string, dir: string): string {
  const dist = pathToFileURL(join(adapterDir, 'dist')).href;
  const entry = `import { appendFileSync } from 'node:fs';
import base from '${dist}/index.js';
import { remember } from './dedicated-channels.js';

const bound = (target, overrides) =>
  new Proxy(target, {
    get(t, k) {
      if (Object.prototype.hasOwnProperty.call(overrides, k)) return overrides[k];
      const v = Reflect.get(t, k);
      return typeof v === 'function' ? v.bind(t) : v;
    },
  });

function dedicatedView(adapter) {
  let pinned;
  const ic = adapter.interchain;
  const interchain = bound(ic, {
    async configureDelivery(attesters, signer) {
      const receipt = await ic.configureDelivery(attesters, signer);
      pinned = { attesters, signer };
      return receipt;
    },
  });
  const lifecycle = bound(adapter.lifecycle, {
    async create(spec, signer) {
      const app = await adapter.lifecycle.create({ ...spec, placement: 'dedicated' }, signer);
      remember(app.location.channel);
      if (process.env.BSN_DEDICATED_LOG)
        appendFileSync(process.env.BSN_DEDICATED_LOG, JSON.stringify({ appId: app.appId, channel: app.location.channel }) + '\\n');
      if (pinned) await ic.configureDelivery(pinned.attesters, pinned.signer, app);
      return app;
    },
  });
  return bound(adapter, { lifecycle, interchain });
}

export default { ...base, async connect(network, context) { return dedicatedView(await base.connect(network, context)); } };
`;
  writeVariantPlugin(adapterDir, dir, 'fabric-dedicated', entry, dist);
  writeFileSync(
    join(dir, 'dedicated-channels.js'),
    'export const channels = new Set();\nexport const remember = (c) => channels.add(c);\n',
  );
  writeFileSync(
    join(dir, 'devnets.js'),
    `import provider from '${dist}/devnets/index.js';
import { channels } from './dedicated-channels.js';

export default {
  ...provider,
  reader(network) {
    const shared = provider.reader(network);
    const readers = new Map();
    const on = (channel) => {
      if (!readers.has(channel)) readers.set(channel, provider.reader({ ...network, channel }));
      return readers.get(channel);
    };
    return {
      ...shared,
      source: shared.source + ' and the channels of the dedicated apps this run created',
      async transaction(txId) {
        const found = await shared.transaction(txId);
        if (found) return found;
        for (const channel of channels) {
          const there = await on(channel).transaction(txId);
          if (there) return there;
        }
        return undefined;
      },
      async close() {
        await shared.close?.();
        for (const r of readers.values()) await r.close?.();
      },
    };
  },
};
`,
  );
  return dir;
}
