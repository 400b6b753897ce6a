import { NotFoundError } from '@bsn/contract';
import type { ContractCalls } from './contracts/contract-calls.js';

export interface AppLocation {
  appId: string;
  /** 0x-prefixed lowercase. */
  address: string;
  createdBlock: number;
}

/**
 * app id → the app's contract, as the registry records it. Found apps are cached (an app never
 * moves: upgrades change the proxy's implementation, not its address); unknown ids are asked
 * again every time, since they may be created meanwhile.
 */
export class AppDirectory {
  private readonly known = new Map<string, AppLocation>();
  private readonly byAddresses = new Map<string, AppLocation>();

  constructor(
    private readonly calls: ContractCalls,
    private readonly registry: string,
  ) {}

  async find(appId: string): Promise<AppLocation | undefined> {
    const cached = this.known.get(appId);
    if (cached) return cached;
    const [app, createdBlock] = await this.calls.view(this.calls.registry, this.registry, 'appOf', [appId], `looking up app ${appId}`);
    const address = String(app).toLowerCase();
    if (/^0x0{40}$/.test(address)) return undefined;
    const location = { appId, address, createdBlock: Number(createdBlock) };
    this.known.set(appId, location);
    this.byAddresses.set(address, location);
    return location;
  }

  /** An app this adapter has looked up before, by its contract address. */
  byAddress(address: string): AppLocation | undefined {
    return this.byAddresses.get(address.toLowerCase());
  }

  async get(appId: string, field = '/app/appId'): Promise<AppLocation> {
    const found = await this.find(appId);
    if (!found) throw new NotFoundError(`no app ${JSON.stringify(appId)} on this network`, { field, stage: 'validate' });
    return found;
  }
}
