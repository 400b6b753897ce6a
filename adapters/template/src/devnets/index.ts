/** The chain targets this plugin contributes (its manifest's `devnets` module). */
import type { DevnetProvider } from '@bsn/contract';
import { readPluginManifest } from '@bsn/contract';
import { MemoryDevnet } from './memory-devnet.js';

const { framework } = readPluginManifest(new URL('../../bsn-plugin.json', import.meta.url));

const provider: DevnetProvider = {
  devnets: { memory: () => new MemoryDevnet(framework) },
  local: 'memory',
};
export default provider;
