import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Devnet } from './devnet.js';
import { AnvilDevnet } from './anvil.js';
import { GethDevnet } from './geth.js';
import { EthereumContainerDevnet } from './containers.js';
import { FabricDevnet } from './fabric/fabric-devnet.js';
import { FabricContainerDevnet } from './fabric/fabric-container-devnet.js';

/** Chain targets by the name given to `--target`. */
export const DEVNETS: Record<string, () => Devnet> = {
  anvil: () => new AnvilDevnet(),
  geth: () => new GethDevnet(),
  'anvil-container': () => new EthereumContainerDevnet('anvil'),
  'geth-container': () => new EthereumContainerDevnet('geth'),
  fabric: () => fabricDevnet(new FabricDevnet()),
  'fabric-container': () => fabricDevnet(new FabricContainerDevnet()),
};

/**
 * The `fabric` target serves BSN's preset data contract: the chaincode folder the Fabric
 * adapter ships (`@bsn/adapter-fabric/chaincode`), deployed as `bsn-preset-kv`, so the
 * network config's `chaincode` names it. Without that package the devnet's test chaincode is
 * deployed instead. `fabric-container` is the same network in containers (needs an engine).
 */
function fabricDevnet<D extends FabricDevnet | FabricContainerDevnet>(devnet: D): D {
  let dir: string | undefined;
  try {
    dir = join(dirname(createRequire(import.meta.url).resolve('@bsn/adapter-fabric/package.json')), 'chaincode');
  } catch {
    dir = undefined;
  }
  if (dir && existsSync(join(dir, 'package.json'))) devnet.withChaincode({ name: 'bsn-preset-kv', dir });
  return devnet;
}

export function devnetByName(name: string): Devnet {
  const make = DEVNETS[name];
  if (!make) throw new Error(`unknown target "${name}"; known: ${Object.keys(DEVNETS).join(', ')}, or a network config file`);
  return make();
}
