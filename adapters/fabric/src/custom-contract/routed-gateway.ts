import { CustomAppGateway, type Receipt } from '@bsn/contract';
import type { RoutedGateway } from '../channels/routed.js';
import { FRAMEWORK } from '../describe.js';
import type { CustomApp, CustomApps } from './custom-apps.js';
import type { CustomGateway } from './custom-gateway.js';

/**
 * The adapter's gateway: a call naming an app that runs its own chaincode goes to it
 * (custom-gateway.ts), everything else to the preset gateway as before (the kit's routing).
 */
export class CustomAwareGateway extends CustomAppGateway<CustomApp, RoutedGateway> {
  constructor(preset: RoutedGateway, apps: CustomApps, custom: CustomGateway) {
    super(preset, apps, custom, { framework: FRAMEWORK, name: 'Fabric' });
  }

  /** The preset gateway's relay of a user-signed authorisation (tests see the chaincode refuse a forged one). */
  relaySigned(...args: Parameters<RoutedGateway['relaySigned']>): Promise<Receipt> {
    return this.preset.relaySigned(...args);
  }
}
