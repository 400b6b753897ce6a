import { InvalidInputError } from '@bsn/contract';
import { FRAMEWORK } from '../framework.js';

/**
 * Refuses a package contract on a network whose config names no BsnCustomApps (`customApps`).
 * The manifest claims lifecycle.custom-contract, so the kit's "does not claim" refusal would
 * blame the plugin; what is missing is the operator's network config, and this says which field.
 */
export function refusePackageWithoutCustomApps(contract: unknown, network: string, field = '/contract'): void {
  if ((contract as { kind?: unknown } | null | undefined)?.kind !== 'package') return;
  throw new InvalidInputError(
    `${field}/kind: network ${network} runs no apps that bring their own contract — its network config has no customApps ` +
      '(the address of the BsnCustomApps registry they live in); its operator deploys one and names it there',
    { field: `${field}/kind`, stage: 'validate', detail: { framework: FRAMEWORK, data: { networkConfigField: '/customApps' } } },
  );
}
