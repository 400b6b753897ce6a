/**
 * The app registry: the preset contract's `apps` table (its own scope) says where an app's
 * rows are (`home` account, scope = the app id's hash) and its admin, state and version; the
 * `members` table of the app's scope says who writes. A dedicated app's home is an account of
 * its own running the same contract, whose `apps` table holds the app's admin, state and version. The location never changes once an app
 * exists, so it is cached; the rest is read fresh.
 */
import { NotFoundError, type AppInfo } from '@bsn/contract';
import { accountId } from './accounts.js';
import { appScope } from './contract-keys.js';
import { ContractTables, type AppLocation, type AppRow } from './contract-tables.js';
import { toBsnError } from './errors.js';
import { FRAMEWORK } from './framework.js';

export interface LocatedApp extends AppLocation {
  appId: string;
  /** The block that created the app: its events start there. */
  created: number;
}

export class AppRegistry {
  private readonly locations = new Map<string, LocatedApp>();

  constructor(
    private readonly tables: ContractTables,
    /** The shared preset contract's account, which holds the registry. */
    readonly contract: string,
    private readonly network: string,
  ) {}

  /** Where `appId` lives, or NotFoundError (`field`) when no such app exists. */
  async locate(appId: string, field = '/app/appId'): Promise<LocatedApp> {
    const known = this.locations.get(appId);
    if (known) return known;
    const row = await this.row(appId);
    if (!row) throw new NotFoundError(`app ${JSON.stringify(appId)} does not exist on ${this.network}`, { stage: 'query', field });
    return this.remember(row);
  }

  /** Whether the registry holds `appId` (whatever its placement). */
  async exists(appId: string): Promise<boolean> {
    return (await this.row(appId)) !== undefined;
  }

  async info(appId: string): Promise<AppInfo> {
    const listed = await this.row(appId);
    if (!listed)
      throw new NotFoundError(`app ${JSON.stringify(appId)} does not exist on ${this.network}`, { stage: 'query', field: '/appId' });
    const at = this.remember(listed);
    const dedicated = listed.home !== this.contract;
    // A dedicated app's admin, state and version are kept by its own contract.
    const row = dedicated ? await this.row(appId, listed.home) : listed;
    if (!row) throw new Error(`the registry places app ${appId} in ${listed.home}, whose contract does not hold it`);
    let members: string[];
    try {
      members = await this.tables.members(at);
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what: `reading the members of ${appId}` });
    }
    return {
      appId: row.appid,
      framework: FRAMEWORK,
      mode: row.mode as AppInfo['mode'],
      placement: dedicated ? 'dedicated' : 'shared',
      state: row.frozen === true || row.frozen === 1 ? 'frozen' : 'active',
      location: { network: this.network, contract: at.account, scope: at.scope },
      contract: { kind: 'preset-kv', version: row.version },
      admin: accountId(row.admin),
      members: members.map(accountId),
    };
  }

  private async row(appId: string, contract = this.contract): Promise<AppRow | undefined> {
    try {
      return await this.tables.app(contract, appId);
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what: `looking up app ${appId}` });
    }
  }

  private remember(row: AppRow): LocatedApp {
    const at = { appId: row.appid, account: row.home, scope: appScope(row.appid), created: row.created };
    this.locations.set(row.appid, at);
    return at;
  }
}
