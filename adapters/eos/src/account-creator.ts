/**
 * Creates accounts for BSN keys with the network's creator (dev networks): `newaccount` whose
 * owner and active permissions hold the key. Under eosio.bios a new account's RAM, CPU and NET
 * are unlimited; a chain running eosio.system also wants RAM bought and bandwidth staked, which
 * this adapter does not do (its creator must be given an account factory there).
 */
import { RejectedByChainError, privateKeySigner, type Signer } from '@bsn/contract';
import { AntelopeApiError, NATIVE_ABI, singleKeyAuthority } from './antelope/index.js';
import type { ResolvedConfig } from './config.js';
import { toBsnError } from './errors.js';
import { FRAMEWORK } from './framework.js';
import type { AccountInfo } from './node-api.js';
import type { Transactions } from './transactions.js';

const ACCOUNT_QUERY_EXCEPTION = 3060002;

export class AccountCreator {
  private readonly signer?: Signer;
  /** Accounts known to exist: they are never deleted, so this only saves look-ups. */
  private readonly existing = new Set<string>();
  private readonly pending = new Map<string, Promise<void>>();

  constructor(
    private readonly txs: Transactions,
    private readonly config: ResolvedConfig,
  ) {
    if (config.creator) this.signer = privateKeySigner('secp256k1', config.creator.secret);
  }

  /** The creator's signer (dev networks), for deploying what the adapter needs. */
  get creatorSigner(): Signer | undefined {
    return this.signer;
  }

  async exists(name: string): Promise<boolean> {
    return this.existing.has(name) || (await this.account(name)) !== undefined;
  }

  /** The account `name` as the chain has it, or undefined when there is none. */
  async account(name: string): Promise<AccountInfo | undefined> {
    try {
      const account = await this.txs.api.account(name);
      this.existing.add(name);
      return account;
    } catch (error) {
      // Leap answers an unknown account with account_query_exception ("unable to retrieve account info").
      if (error instanceof AntelopeApiError && error.code === ACCOUNT_QUERY_EXCEPTION) return undefined;
      throw toBsnError(error, { stage: 'query', what: `looking up account ${name}` });
    }
  }

  /** Creates `name` holding `key` unless it exists; concurrent calls for one name share the work. */
  ensure(name: string, key: string): Promise<void> {
    const running = this.pending.get(name);
    if (running) return running;
    const work = this.create(name, key).finally(() => this.pending.delete(name));
    this.pending.set(name, work);
    return work;
  }

  private async create(name: string, key: string): Promise<void> {
    if (await this.exists(name)) return;
    if (!this.signer || !this.config.creator) {
      throw new RejectedByChainError(`account ${name} does not exist and network ${this.config.name} has no creator to make it`, {
        stage: 'prepare',
        detail: { framework: FRAMEWORK, message: 'no creator configured' },
      });
    }
    const creator = this.config.creator.account;
    const authority = singleKeyAuthority(key);
    await this.txs.submit(
      [
        {
          account: 'eosio',
          name: 'newaccount',
          authorization: [{ actor: creator, permission: 'active' }],
          data: NATIVE_ABI.encodeAction('newaccount', { creator, name, owner: authority, active: authority }),
        },
      ],
      this.signer,
      { what: `creating account ${name}` },
    );
    this.existing.add(name);
  }
}
