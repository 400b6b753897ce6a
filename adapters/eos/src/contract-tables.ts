/**
 * The preset contract's tables as the adapter reads them (`get_table_rows`, JSON): the app
 * registry, members, live entries by head, versions by head and by block, executed requests.
 * Row shapes follow contract/bsn-kv.tables.ts.
 */
import type { NodeApi, TableRowsRequest } from './node-api.js';
import { appScope, headOf, idOf } from './contract-keys.js';

export interface AppRow {
  id: string;
  appid: string;
  name: string;
  mode: string;
  admin: string;
  frozen: number | boolean;
  version: number;
  created: number;
  home: string;
}

export interface EntryRow {
  id: string;
  key: string;
  /** hex */
  value: string;
  txid: string;
  block: number;
  head: string;
}

export interface VersionRow extends EntryRow {
  deleted: number | boolean;
  /** ms since epoch, decimal */
  time: string;
}

export interface RequestRow {
  id: string;
  reqid: string;
  content: string;
  txid: string;
  block: number;
}

/** Where an app's rows are: the contract account and the app's scope. */
export interface AppLocation {
  account: string;
  scope: string;
}

/** All rows of `request` between its bounds, page after page (a page ends where `more` says). */
export async function allRows<T extends { id: string }>(api: NodeApi, request: TableRowsRequest): Promise<T[]> {
  const rows: T[] = [];
  const seen = new Set<string>();
  let lower = request.lower_bound;
  let limit = request.limit ?? 100;
  for (;;) {
    const page = await api.tableRows<T>({ ...request, limit, ...(lower !== undefined && { lower_bound: lower }) });
    const fresh = page.rows.filter((r) => !seen.has(r.id));
    for (const row of fresh) seen.add(row.id);
    rows.push(...fresh);
    if (!page.more || page.next_key === undefined) return rows;
    // A secondary index restarts at the next key's value: rows sharing it are read again and
    // skipped; a page that brought nothing new is widened.
    if (fresh.length === 0) limit *= 2;
    lower = page.next_key;
  }
}

export class ContractTables {
  constructor(private readonly api: NodeApi) {}

  async app(contract: string, appId: string): Promise<AppRow | undefined> {
    const id = appScope(appId);
    const page = await this.api.tableRows<AppRow>({
      code: contract,
      scope: contract,
      table: 'apps',
      lower_bound: id,
      upper_bound: id,
      limit: 1,
    });
    const row = page.rows[0];
    return row && row.appid === appId ? row : undefined;
  }

  async members(at: AppLocation): Promise<string[]> {
    const rows = await allRows<{ id: string; account: string }>(this.api, { code: at.account, scope: at.scope, table: 'members' });
    return rows.map((r) => r.account);
  }

  /** The live entries whose head is `key`'s, so the one holding `key` is among them. */
  async entriesOfHead(at: AppLocation, key: string): Promise<EntryRow[]> {
    const head = headOf(key);
    return allRows<EntryRow>(this.api, byHead(at, 'entries', head, head));
  }

  /** Live entries from head `lower` to head `upper`, in head order, `limit` rows at a time. */
  entriesBetween(at: AppLocation, lower: string, upper: string, limit: number) {
    return this.api.tableRows<EntryRow>({ ...byHead(at, 'entries', lower, upper), limit });
  }

  async versionsOfHead(at: AppLocation, key: string): Promise<VersionRow[]> {
    const head = headOf(key);
    return allRows<VersionRow>(this.api, byHead(at, 'versions', head, head));
  }

  /** Versions written in blocks `from`…`to`, in block order (the blocks the app's events are in). */
  async versionsInBlocks(at: AppLocation, from: number, to: number): Promise<VersionRow[]> {
    return allRows<VersionRow>(this.api, {
      code: at.account,
      scope: at.scope,
      table: 'versions',
      index_position: 3,
      key_type: 'i64',
      lower_bound: String(from),
      upper_bound: String(to),
    });
  }

  /** The blocks `from`…`to` in which the app took part in interchain traffic (the registry's `icevents`, in the app's scope). */
  async interchainBlocks(registry: string, appId: string, from: number, to: number): Promise<number[]> {
    const rows = await allRows<{ id: string }>(this.api, {
      code: registry,
      scope: appScope(appId),
      table: 'icevents',
      lower_bound: String(from),
      upper_bound: String(to),
    });
    return rows.map((r) => Number(r.id));
  }

  async request(at: AppLocation, requestId: string): Promise<RequestRow | undefined> {
    const id = idOf(Buffer.from(requestId, 'utf8')).toString();
    const page = await this.api.tableRows<RequestRow>({
      code: at.account,
      scope: at.scope,
      table: 'requests',
      lower_bound: id,
      upper_bound: id,
      limit: 1,
    });
    const row = page.rows[0];
    return row && row.reqid === requestId ? row : undefined;
  }
}

function byHead(at: AppLocation, table: string, lower: string, upper: string): TableRowsRequest {
  return { code: at.account, scope: at.scope, table, index_position: 2, key_type: 'i128', lower_bound: lower, upper_bound: upper };
}
