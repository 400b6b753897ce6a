import type { Devnet } from './devnet.js';
import { AnvilDevnet } from './anvil.js';
import { GethDevnet } from './geth.js';
import { EthereumContainerDevnet } from './containers.js';
import { FabricDevnet } from './fabric/fabric-devnet.js';

/** Chain targets by the name given to `--target`. */
export const DEVNETS: Record<string, () => Devnet> = {
  anvil: () => new AnvilDevnet(),
  geth: () => new GethDevnet(),
  'anvil-container': () => new EthereumContainerDevnet('anvil'),
  'geth-container': () => new EthereumContainerDevnet('geth'),
  fabric: () => new FabricDevnet(),
};

export function devnetByName(name: string): Devnet {
  const make = DEVNETS[name];
  if (!make) throw new Error(`unknown target "${name}"; known: ${Object.keys(DEVNETS).join(', ')}, or a network config file`);
  return make();
}
