import { InvalidInputError } from '@bsn/contract';
import type { ChainContext } from '../chain-context.js';
import { CUSTOM_APPS_ID } from './contracts.js';
import { CustomContracts } from './custom-contracts.js';

/**
 * The network's apps that bring their own contract, when its config names a BsnCustomApps:
 * checked to be one (its id) serving this network's preset registry, else InvalidInputError
 * at `/customApps`. Without one, a package contract is refused as before (`/contract/kind`).
 */
export async function connectCustomContracts(c: ChainContext): Promise<CustomContracts | undefined> {
  const address = c.config.customApps;
  if (!address) return undefined;
  const custom = new CustomContracts(c, address);
  const read = (fn: string) =>
    c.calls.view(custom.apps.abi, address, fn, [], 'checking the custom-app registry').then(
      ([v]) => String(v).toLowerCase(),
      () => '',
    );
  const [id, preset] = await Promise.all([read('BSN_CUSTOM_APPS'), read('presetRegistry')]);
  if (id !== CUSTOM_APPS_ID || preset !== c.config.registry)
    throw new InvalidInputError(`network config /customApps: ${address} is not a ${CUSTOM_APPS_ID} serving ${c.config.registry}`, {
      field: '/customApps',
    });
  return custom;
}
