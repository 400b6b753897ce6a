import {
  assertPublicKey,
  checkKeyAlgorithmIn,
  toHex,
  type AdapterIdentity,
  type ChainAccount,
  type KeyAlgorithm,
  type Signer,
} from '@bsn/contract';
import { publicKeyText } from './antelope/index.js';
import { accountId, accountNameOf } from './accounts.js';
import type { AccountCreator } from './account-creator.js';
import { FRAMEWORK, MANIFEST } from './framework.js';

/**
 * Accounts are named from the key (accounts.ts) and must exist on chain before they act:
 * `provision` creates one whose owner and active permissions hold the key, idempotently.
 */
export class EosIdentity implements AdapterIdentity {
  constructor(private readonly creator: AccountCreator) {}

  accountAlgorithms(): KeyAlgorithm[] {
    return [...MANIFEST.keyAlgorithms];
  }

  async accountFor(publicKey: Uint8Array, algorithm: KeyAlgorithm): Promise<ChainAccount> {
    checkKeyAlgorithmIn(algorithm, MANIFEST.keyAlgorithms, '/algorithm', FRAMEWORK);
    assertPublicKey(algorithm, publicKey, '/publicKey');
    const name = accountNameOf(algorithm, publicKey);
    return {
      framework: FRAMEWORK,
      algorithm,
      publicKey: toHex(publicKey),
      id: accountId(name),
      attributes: { account: name, permission: 'active', key: publicKeyText(algorithm, publicKey) },
    };
  }

  async provision(signer: Signer): Promise<ChainAccount> {
    const account = await this.accountFor(signer.publicKey, signer.algorithm);
    await this.creator.ensure(account.attributes!.account!, account.attributes!.key!);
    return account;
  }
}
