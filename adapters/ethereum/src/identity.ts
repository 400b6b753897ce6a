import {
  InvalidInputError,
  UnauthorizedError,
  type AdapterIdentity,
  type ChainAccount,
  type KeyAlgorithm,
  type Signer,
} from '@bsn/contract';

import type { ChainReader } from './chain.js';
import type { ResolvedConfig } from './config.js';
import { FRAMEWORK } from './describe.js';
import { toBsnError } from './errors.js';
import { ACCOUNT_ALGORITHM, addressOf, checkAlgorithm, localKeySigner, uncompressedPublicKey } from './signer-bridge.js';
import type { TxSender } from './transactions.js';

/**
 * Ethereum accounts: the EIP-55 address of the secp256k1 key (keccak256 of the 64-byte
 * point, last 20 bytes). `provision` funds the account from the network's faucet once —
 * an account holding any balance is left alone — and refuses, where there is no faucet, to
 * hand out an account that could not pay for a single transaction.
 */
export class EthereumIdentity implements AdapterIdentity {
  private readonly inflight = new Map<string, Promise<ChainAccount>>();

  constructor(private readonly d: { config: ResolvedConfig; chain: ChainReader; sender: TxSender }) {}

  accountAlgorithms(): KeyAlgorithm[] {
    return [ACCOUNT_ALGORITHM];
  }

  async accountFor(publicKey: Uint8Array, algorithm: KeyAlgorithm): Promise<ChainAccount> {
    checkAlgorithm(algorithm, '/algorithm');
    const uncompressed = uncompressedPublicKey(publicKey, '/publicKey');
    return { framework: FRAMEWORK, algorithm: ACCOUNT_ALGORITHM, publicKey: uncompressed.slice(2), id: addressOf(publicKey) };
  }

  provision(signer: Signer): Promise<ChainAccount> {
    return Promise.resolve().then(async () => {
      if (typeof signer !== 'object' || signer === null) throw new InvalidInputError('a signer is required', { field: '/signer' });
      const account = await this.accountFor(signer.publicKey, signer.algorithm);
      // Concurrent provisions of one account share one funding transaction.
      let pending = this.inflight.get(account.id);
      if (!pending) {
        pending = this.fund(account).finally(() => this.inflight.delete(account.id));
        this.inflight.set(account.id, pending);
      }
      return pending;
    });
  }

  private async fund(account: ChainAccount): Promise<ChainAccount> {
    const { config, chain, sender } = this.d;
    let balance: bigint;
    try {
      balance = await chain.balance(account.id, 'pending');
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what: `reading the balance of ${account.id}` });
    }
    if (balance > 0n) return account;
    if (!config.faucet) {
      throw new UnauthorizedError(`account ${account.id} holds no ether and network ${config.name} has no faucet: fund it before use`, {
        stage: 'validate',
        detail: { framework: FRAMEWORK, data: { account: account.id, balance: '0' } },
      });
    }
    const faucet = localKeySigner(config.faucet.privateKey);
    await sender.fund(faucet, account.id, config.faucet.amountWei, `funding ${account.id} from the faucet`);
    return account;
  }
}
