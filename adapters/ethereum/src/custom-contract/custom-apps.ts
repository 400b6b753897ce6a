import { AbiCoder, Interface, getAddress, keccak256, toUtf8Bytes, toUtf8String } from 'ethers';
import { InvalidInputError, NotFoundError, UnavailableError } from '@bsn/contract';
import { num } from '../chain.js';
import { FRAMEWORK } from '../describe.js';
import { toBsnError } from '../errors.js';
import { deployAtNonceZero } from '../nonce-zero-deploy.js';
import type { AdapterParts } from '../parts.js';
import {
  CUSTOM_APPS_PROTOCOL,
  CUSTOM_TOPICS,
  customAppsDeployerKey,
  customAppsInterface,
  customArtifacts,
  deterministicCustomAppsAddress,
} from './contracts.js';

/** What the registry keeps of an app that brings its own contract (BsnCustomApps.appInfo). */
export interface CustomAppState {
  appId: string;
  /** The app's BsnCustomAppProxy. */
  address: string;
  admin: string;
  members: string[];
  frozen: boolean;
  version: number;
  mode: number;
  placement: number;
  createdBlock: number;
  implementation: string;
}

/** One published version of the app's code, with the ABI it is called by. */
export interface PublishedVersion {
  version: number;
  implementation: string;
  abi: Interface;
  /** Where ContractPublished sits: logs from here on are the version's. */
  block: number;
  logIndex: number;
  /** The transaction that published it: the migration's own logs in it precede ContractPublished. */
  txId: string;
}

export type CustomAppsDeps = Pick<AdapterParts, 'config' | 'chain' | 'finality' | 'sender' | 'nonces' | 'logger' | 'registry'>;

/**
 * The on-chain BsnCustomApps of this network: found at the deterministic dev address (deployed
 * on the first custom app, serving this adapter's preset registry), and read at the final head.
 * Published versions are kept once read: a version's ABI never changes.
 */
export class CustomApps {
  readonly address: string;
  private ready?: Promise<void>;
  private readonly versionCache = new Map<string, PublishedVersion[]>();
  private readonly recent = new Map<string, { at: number; state: CustomAppState; versions: PublishedVersion[] }>();

  constructor(private readonly d: CustomAppsDeps) {
    this.address = deterministicCustomAppsAddress(d.config.chainId);
  }

  /** Deploys the registry when absent (dev networks, with a faucet) and checks it is one serving our preset registry. */
  ensureDeployed(): Promise<void> {
    this.ready ??= this.deploy().catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  private async deploy(): Promise<void> {
    if ((await this.d.chain.code(this.address)) === '0x') {
      if (!this.d.config.faucet)
        throw new InvalidInputError(`no custom-app registry on this network (expected at ${this.address}) and no faucet to deploy one`, {
          field: '/contract/kind',
        });
      const args = AbiCoder.defaultAbiCoder().encode(['address'], [this.d.registry.address]).slice(2);
      await deployAtNonceZero(this.d, {
        deployerKey: customAppsDeployerKey(this.d.config.chainId),
        address: this.address,
        data: customArtifacts.BsnCustomApps.bytecode + args,
        name: 'custom-app registry',
        role: 'customApps',
        missing: (used) =>
          `the custom-app registry did not appear at ${this.address}${used ? " although the deployer's nonce 0 is used" : ''}`,
      });
    }
    const [protocol, preset] = await Promise.all([this.view('BSN_CUSTOM_APPS', []), this.view('presetRegistry', [])]);
    if (protocol[0] !== CUSTOM_APPS_PROTOCOL || getAddress(String(preset[0])) !== this.d.registry.address)
      throw new UnavailableError(`the contract at ${this.address} is not a custom-app registry serving ${this.d.registry.address}`, {
        detail: { framework: FRAMEWORK, data: { protocol: String(protocol[0]), presetRegistry: String(preset[0]) } },
      });
  }

  private async view(fn: string, args: unknown[], at?: number): Promise<readonly unknown[]> {
    try {
      const out = await this.d.chain.call({ to: this.address, data: customAppsInterface.encodeFunctionData(fn, args) }, at ?? 'latest');
      return customAppsInterface.decodeFunctionResult(fn, out);
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what: `reading the custom-app registry (${fn})` });
    }
  }

  /** The app as of the final head; undefined when no such custom app (or no registry yet). */
  async state(appId: string): Promise<CustomAppState | undefined> {
    const final = await this.d.finality.finalHead();
    if ((await this.d.chain.code(this.address)) === '0x') return undefined;
    const [proxy, admin, members, frozen, version, mode, placement, createdBlock, implementation] = (await this.view(
      'appInfo',
      [appId],
      final,
    )) as [string, string, string[], boolean, bigint, bigint, bigint, bigint, string];
    if (proxy === '0x0000000000000000000000000000000000000000') return undefined;
    return {
      appId,
      address: getAddress(proxy),
      admin: getAddress(admin),
      members: [...members].map((m) => getAddress(m)),
      frozen,
      version: Number(version),
      mode: Number(mode),
      placement: Number(placement),
      createdBlock: Number(createdBlock),
      implementation: getAddress(implementation),
    };
  }

  /**
   * The app and its versions as read at most `maxAgeMs` ago: the gateway's view, which needs
   * only the app's address (fixed) and its ABI — the chain itself checks members, freezing and
   * the code a call runs. `forget` drops it after this adapter changed the app.
   */
  async current(appId: string, maxAgeMs = 1_000): Promise<{ state: CustomAppState; versions: PublishedVersion[] } | undefined> {
    const cached = this.recent.get(appId);
    if (cached && Date.now() - cached.at < maxAgeMs) return cached;
    const state = await this.state(appId);
    if (!state) return undefined;
    const entry = { at: Date.now(), state, versions: await this.versions(state) };
    this.recent.set(appId, entry);
    return entry;
  }

  forget(appId: string): void {
    this.recent.delete(appId);
  }

  /** Like `state`, NotFoundError when there is no such app. */
  async require(appId: string): Promise<CustomAppState> {
    const state = await this.state(appId);
    if (!state)
      throw new NotFoundError(`no app ${JSON.stringify(appId)} on this network`, {
        stage: 'query',
        detail: { framework: FRAMEWORK, data: { customApps: this.address, appId } },
      });
    return state;
  }

  /** Every published version of the app up to `app.version`, oldest first, from ContractPublished logs. */
  async versions(app: CustomAppState): Promise<PublishedVersion[]> {
    const known = this.versionCache.get(app.appId) ?? [];
    if (known.length >= app.version) return known.slice(0, app.version);
    const from = known.length ? known[known.length - 1]!.block + 1 : app.createdBlock;
    const to = await this.d.finality.finalHead();
    let logs;
    try {
      logs = await this.d.chain.logs({
        address: this.address,
        topics: [CUSTOM_TOPICS.contractPublished, keccak256(toUtf8Bytes(app.appId))],
        fromBlock: from,
        toBlock: to,
      });
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what: `reading the published versions of ${app.appId}` });
    }
    const found = [...known];
    for (const log of logs) {
      const parsed = customAppsInterface.parseLog({ topics: log.topics, data: log.data });
      if (!parsed) continue;
      const version = Number(parsed.args.version);
      if (version !== found.length + 1) continue;
      found.push({
        version,
        implementation: getAddress(String(parsed.args.implementation)),
        abi: new Interface(toUtf8String(parsed.args.abi as string)),
        block: num(log.blockNumber),
        logIndex: num(log.logIndex),
        txId: log.transactionHash,
      });
    }
    if (found.length < app.version)
      throw new UnavailableError(
        `the node has no ContractPublished log of ${app.appId} version ${found.length + 1} (are its logs pruned?)`,
        {
          stage: 'query',
          detail: { framework: FRAMEWORK, data: { appId: app.appId, version: found.length + 1 } },
        },
      );
    this.versionCache.set(app.appId, found);
    return found.slice(0, app.version);
  }
}
