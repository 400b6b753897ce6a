import { NotFoundError } from '@bsn/contract';
import { PresetChaincode } from '../chaincode-client.js';
import type { ResolvedConfig } from '../config.js';
import type { FabricConnection } from '../connection.js';
import { FabricGateway } from '../gateway.js';
import { FabricInterchain } from '../interchain/interchain.js';
import { Ledger } from '../ledger.js';
import { FabricPresetKv } from '../preset-kv.js';
import { Transactor } from '../transactions.js';
import { UserKeyRelay } from '../user-key.js';
import { checkAppRef } from '../validation.js';

/** Everything that speaks to one channel: the shared one, or a dedicated app's. */
export interface ChannelParts {
  channel: string;
  config: ResolvedConfig;
  ledger: Ledger;
  chaincode: PresetChaincode;
  transactor: Transactor;
  gateway: FabricGateway;
  userKey: UserKeyRelay;
  kv: FabricPresetKv;
  interchain: FabricInterchain;
}

/**
 * Which channel an app lives on. The shared channel's preset chaincode is the directory: a
 * dedicated app has a directory entry there (`a/<appId>` with `placement: 'dedicated'` and
 * its `channel`), so every adapter instance finds its channel with one read. An app's
 * placement never changes once it exists, so answers are cached; an unknown app is not (it
 * may be created later) and resolves to the shared channel, where it is then NOT_FOUND.
 * One gRPC connection to the org's gateway peer serves every channel.
 */
export class ChannelRouter {
  readonly shared: ChannelParts;
  private readonly parts = new Map<string, ChannelParts>();
  private readonly routes = new Map<string, string>();

  constructor(private readonly d: { config: ResolvedConfig; connection: FabricConnection }) {
    this.shared = this.on(d.config.channel);
  }

  /** The parts for `channel`, made once. */
  on(channel: string): ChannelParts {
    const known = this.parts.get(channel);
    if (known) return known;
    const config: ResolvedConfig = { ...this.d.config, channel };
    const connection = this.d.connection;
    const ledger = new Ledger({ config, connection });
    const chaincode = new PresetChaincode({ config, connection });
    const transactor = new Transactor({ config, ledger, connection });
    const deps = { config, connection, ledger, chaincode, transactor };
    const userKey = new UserKeyRelay(deps);
    const gateway = new FabricGateway({ ...deps, userKey });
    const parts: ChannelParts = {
      channel,
      config,
      ledger,
      chaincode,
      transactor,
      gateway,
      userKey,
      kv: new FabricPresetKv({ gateway, chaincode, ledger }),
      interchain: new FabricInterchain(deps),
    };
    this.parts.set(channel, parts);
    return parts;
  }

  /** Records where an app lives (after creating it). */
  remember(appId: string, channel: string): void {
    this.routes.set(appId, channel);
  }

  /** Whether the app's record is on `channel`; a channel that is not (fully) there yet answers no. */
  recordOn(channel: string, appId: string): Promise<boolean> {
    return this.on(channel)
      .chaincode.app(appId)
      .then(
        () => true,
        () => false,
      );
  }

  /** The channel of an app id that is known to exist, or undefined when the directory has no such app. */
  async channelOf(appId: string): Promise<string | undefined> {
    const known = this.routes.get(appId);
    if (known) return known;
    const record = await this.shared.chaincode.findApp(appId);
    if (!record) return undefined;
    if (record.directory && record.channel) {
      // A reservation whose create has not completed (its channel or its record there is
      // missing) is not an app yet: it stays on the shared channel, where the chaincode
      // answers NOT_FOUND for a directory entry. Only a complete one is cached.
      if (!(await this.recordOn(record.channel, appId))) return this.d.config.channel;
      this.routes.set(appId, record.channel);
      return record.channel;
    }
    this.routes.set(appId, this.d.config.channel);
    return this.d.config.channel;
  }

  /**
   * The parts an operation on `app` goes to. A malformed reference goes to the shared parts,
   * whose own validation then refuses it naming the field, as before routing existed.
   */
  async forApp(app: unknown): Promise<ChannelParts> {
    let appId: string;
    try {
      appId = checkAppRef(app);
    } catch {
      return this.shared;
    }
    return this.on((await this.channelOf(appId)) ?? this.d.config.channel);
  }

  /** Look-ups: `scope` names the app whose ledger is meant; none is the shared channel. */
  async forScope(scope: unknown): Promise<ChannelParts> {
    if (scope === undefined) return this.shared;
    const appId = checkAppRef(scope, '/scope');
    const channel = await this.channelOf(appId);
    if (channel === undefined) throw new NotFoundError(`app ${JSON.stringify(appId)} does not exist`, { stage: 'query', field: '/scope' });
    return this.on(channel);
  }

  /** Every channel's parts this instance has met (evidence is looked for on each). */
  known(): ChannelParts[] {
    return [...this.parts.values()];
  }
}
