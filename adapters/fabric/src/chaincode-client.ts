import type { Gateway } from '@hyperledger/fabric-gateway';
import { isBsnError, type AppInfo } from '@bsn/contract';
import type { ResolvedConfig } from './config.js';
import type { FabricConnection } from './connection.js';
import { FRAMEWORK } from './describe.js';
import { toBsnError } from './errors.js';

/** The app record the preset chaincode keeps under `a/<appId>`. */
export interface AppRecord {
  appId: string;
  name: string;
  mode: 'private' | 'consortium';
  placement: 'shared' | 'dedicated';
  /** A dedicated app's channel. */
  channel?: string;
  /** A dedicated app's entry in the shared channel's directory: where it lives, who reserved it; no app data. */
  directory?: boolean;
  state: 'active' | 'frozen';
  admin: string;
  members: string[];
  contract: { kind: 'preset-kv'; version: number };
  createdTx: string;
}

export interface EntryRecord {
  key: string;
  /** base64 */
  value: string;
  txId: string;
}

export interface HistoryRecord {
  txId: string;
  timestamp: number;
  /** base64, null for a delete */
  value: string | null;
}

/** The name, version and limits the preset chaincode reports (`info`). */
export interface ChaincodeInfo {
  contract: string;
  version: string;
  limits: { maxValueBytes: number; maxKeyBytes: number; maxPageSize: number };
}

export const PRESET_CONTRACT = 'bsn-preset-kv';

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

/**
 * Read-only calls of the preset chaincode (evaluated on the gateway peer, never ordered),
 * as the org's service user unless a caller's gateway is given.
 */
export class PresetChaincode {
  constructor(private readonly d: { config: ResolvedConfig; connection: FabricConnection }) {}

  get name(): string {
    return this.d.config.chaincode;
  }

  async evaluate(fn: string, args: Array<string | Uint8Array>, what: string, gateway?: Gateway): Promise<Uint8Array> {
    const contract = (gateway ?? this.d.connection.service).getNetwork(this.d.config.channel).getContract(this.d.config.chaincode);
    try {
      return await contract.evaluateTransaction(fn, ...args);
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what });
    }
  }

  private async json<T>(fn: string, args: string[], what: string): Promise<T> {
    return JSON.parse(text(await this.evaluate(fn, args, what))) as T;
  }

  info(): Promise<ChaincodeInfo> {
    return this.json('info', [], `info of chaincode ${this.name}`);
  }

  app(appId: string): Promise<AppRecord> {
    return this.json('getApp', [appId], `app ${appId}`);
  }

  /** The app's record, or undefined where the chaincode says there is none (other failures throw). */
  findApp(appId: string): Promise<AppRecord | undefined> {
    return this.app(appId).catch((error: unknown) => {
      if (isBsnError(error) && error.code === 'NOT_FOUND') return undefined;
      throw error;
    });
  }

  entry(appId: string, key: string): Promise<EntryRecord | null> {
    return this.json('entry', [appId, key], `get on ${appId}`);
  }

  history(appId: string, key: string): Promise<HistoryRecord[]> {
    return this.json('history', [appId, key], `history on ${appId}`);
  }

  list(appId: string, prefix: string, after: string, limit: number): Promise<{ entries: EntryRecord[]; more: boolean }> {
    return this.json('list', [appId, prefix, after, String(limit)], `list on ${appId}`);
  }

  /** What `AppInfo` says of an app record: where it lives is the channel, the chaincode and its key namespace. */
  appInfo(app: AppRecord): AppInfo {
    return {
      appId: app.appId,
      framework: FRAMEWORK,
      mode: app.mode,
      placement: app.placement,
      state: app.state,
      location: { channel: this.d.config.channel, chaincode: this.d.config.chaincode, namespace: `k/${app.appId}/` },
      contract: { kind: app.contract.kind, version: app.contract.version },
      admin: app.admin,
      members: [...app.members],
    };
  }
}
