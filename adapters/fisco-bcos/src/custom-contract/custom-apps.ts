import { InvalidInputError, NotFoundError, UnauthorizedError, type BsnError, type ErrorContext } from '@bsn/contract';
import type { ChainContext } from '../chain-context.js';
import { ChainAbi, type DecodedRevert } from '../contracts/chain-abi.js';
import { receiptFailure, toBsnError } from '../errors.js';
import { hexToBytes } from '../node/chain-reader.js';
import type { ReceiptJson } from '../node/node-json.js';
import { customAppsInterface } from './contracts.js';
import { KeptAnswers, type Clock } from './kept-answers.js';
import { PackageAbi } from './package-abi.js';

/** What BsnCustomApps records of an app that brings its own contract (`appInfo`). */
export interface CustomAppState {
  appId: string;
  /** The app's BsnCustomAppProxy, 0x-prefixed lowercase. */
  address: string;
  admin: string;
  members: string[];
  frozen: boolean;
  version: number;
  /** The kind byte: mode in the low nibble, placement in the high one (as preset apps). */
  kind: number;
  createdBlock: number;
  implementation: string;
}

const ZERO = /^0x0{40}$/;

/**
 * How old an app's record the gateway may act on (as Fabric's adapter): the proxy enforces
 * members and frozen on chain whatever the adapter holds, so what an older record could get
 * wrong is the version — the ABI a call is encoded and its events decoded by — after an
 * upgrade made through another node, for up to this long.
 */
export const KEPT_APP_MS = 1_000;

/**
 * The group's BsnCustomApps (network config `customApps`): app records read from the chain, and
 * each version's ABI as FISCO keeps it with the code's deploy transaction (`getABI`), read once
 * per implementation (a deployed contract's ABI never changes).
 */
export class CustomApps {
  readonly abi: ChainAbi;
  private readonly abis = new Map<string, Promise<PackageAbi>>();
  /** Implementations of past versions by `appId#version`: a version once replaced never changes. */
  private readonly past = new Map<string, Promise<string>>();
  private readonly kept: KeptAnswers<CustomAppState>;

  constructor(
    private readonly c: ChainContext,
    readonly address: string,
    now: Clock = Date.now,
  ) {
    this.abi = new ChainAbi(c.suite, customAppsInterface);
    this.kept = new KeptAnswers((appId) => this.state(appId), now);
  }

  /**
   * The app's record read at most `maxAgeMs` ago (0: read now). The gateway asks on every
   * call: 16 writes in flight each read `appInfo` before, one JSON-RPC `call` a write that the
   * same call made directly does not make.
   */
  find(appId: string, maxAgeMs: number): Promise<CustomAppState | undefined> {
    return this.kept.get(appId, maxAgeMs);
  }

  /** This adapter has just changed the app's record: the next call reads it again. */
  forget(appId: string): void {
    this.kept.forget(appId);
  }

  async state(appId: string): Promise<CustomAppState | undefined> {
    const [app, admin, members, frozen, version, kind, createdBlock, implementation] = await this.c.calls.view(
      this.abi,
      this.address,
      'appInfo',
      [appId],
      `looking up app ${appId}`,
    );
    const address = String(app).toLowerCase();
    if (ZERO.test(address)) return undefined;
    const packed = hexToBytes(String(members));
    const ids: string[] = [];
    for (let i = 0; i < packed.length; i += 20) ids.push('0x' + Buffer.from(packed.subarray(i, i + 20)).toString('hex'));
    return {
      appId,
      address,
      admin: String(admin).toLowerCase(),
      members: ids,
      frozen: Boolean(frozen),
      version: Number(version),
      kind: Number(kind),
      createdBlock: Number(createdBlock),
      implementation: String(implementation).toLowerCase(),
    };
  }

  async require(appId: string, field = '/app/appId'): Promise<CustomAppState> {
    const state = await this.state(appId);
    if (!state) throw new NotFoundError(`no app ${JSON.stringify(appId)} on this network`, { field, stage: 'validate' });
    return state;
  }

  /** The ABI of every version of the app, oldest first. */
  async versions(app: CustomAppState): Promise<PackageAbi[]> {
    const out: Promise<PackageAbi>[] = [];
    for (let v = 1; v <= app.version; v++) {
      out.push(v === app.version ? this.abiOf(app.implementation) : this.implementationAt(app.appId, v).then((impl) => this.abiOf(impl)));
    }
    return Promise.all(out);
  }

  private implementationAt(appId: string, version: number): Promise<string> {
    const key = `${appId}#${version}`;
    let found = this.past.get(key);
    if (!found) {
      found = this.c.calls
        .view(this.abi, this.address, 'implementationAt', [appId, version], `version ${version} of ${appId}`)
        .then(([impl]) => String(impl).toLowerCase());
      found.catch(() => this.past.delete(key));
      this.past.set(key, found);
    }
    return found;
  }

  /** The ABI the chain keeps for an implementation (the `abi` of the transaction that deployed it). */
  abiOf(implementation: string): Promise<PackageAbi> {
    let found = this.abis.get(implementation);
    if (!found) {
      found = this.c.chain.rpc.group<string>('getABI', [implementation]).then(
        (json) => new PackageAbi(this.c.suite, JSON.parse(json) as unknown[]),
        (error: unknown) => {
          throw toBsnError(error, { stage: 'query', what: `reading the ABI of ${implementation}` });
        },
      );
      found.catch(() => this.abis.delete(implementation));
      this.abis.set(implementation, found);
    }
    return found;
  }

  /** A revert named by the registry's and proxy's errors, then the package's. */
  revertOf(output: Uint8Array, abis: readonly PackageAbi[] = []): DecodedRevert | undefined {
    if (output.length < 4) return undefined;
    return this.abi.decodeRevert(output) ?? abis.reduce<DecodedRevert | undefined>((r, a) => r ?? a.errors.decodeRevert(output), undefined);
  }

  /** The typed error of a failed receipt or call, the proxy's and registry's own refusals typed by name. */
  failure(status: number, output: string, ctx: ErrorContext, abis: readonly PackageAbi[] = []): BsnError {
    const revert = this.revertOf(hexToBytes(output), abis);
    const error = receiptFailure(status, revert, output, ctx);
    const opts = { detail: error.detail!, stage: ctx.stage, ...(ctx.txId && { txId: ctx.txId }) };
    const what = ctx.what ? `${ctx.what}: ` : '';
    if (revert?.name === 'NotWriter')
      return new UnauthorizedError(`${what}${revert.args.account} may not write to the app (not a member, or the app is frozen)`, opts);
    if (revert?.name === 'ImplementationHasNoCode')
      return new InvalidInputError(`${what}the package's creation code deployed no code`, {
        ...opts,
        field: '/contract/package/bytecode',
      });
    return error;
  }

  /** Throws the typed error of a receipt whose status is not 0. */
  check(receipt: ReceiptJson, ctx: Omit<ErrorContext, 'stage' | 'txId'>, abis: readonly PackageAbi[] = []): ReceiptJson {
    if (receipt.status === 0) return receipt;
    throw this.failure(receipt.status, receipt.output, { ...ctx, stage: 'commit', txId: receipt.transactionHash }, abis);
  }
}
